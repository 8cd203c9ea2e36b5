package trace

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/stream"
)

// tracing is the trace backend's side of a run (stream.Source): the
// program's execution trace, read from its pipe and mapped.
type tracing struct {
	opts     Options
	w        *stream.Writer
	prog     stream.Program
	traceR   *os.File
	dumpR    *os.File // the GC lens's heap dumps (nil without the lens)
	gap      *gapReader
	throttle *throttle
	mapper   *mapper
	collapse *collapser
	hold     uint64 // how long output waits for a trace that does not come (ns)
	// program finds the program's pid (0: not yet, or no more).
	program func() int

	// Under the run's lock:
	stats    Stats
	lagSum   time.Duration
	sawTrace bool
	// When the reader last returned an event (Monotonic).
	lastEvent atomic.Uint64
}

func (tr *tracing) logf(format string, args ...any) {
	if tr.opts.Log != nil {
		fmt.Fprintf(tr.opts.Log, format+"\n", args...)
	}
}

// Emit writes one of the run loop's events among the mapper's.
func (tr *tracing) Emit(ts uint64, kind string, m, p, g int64, fields ...stream.Field) {
	tr.w.Emit(int64(ts), kind, m, p, g, fields...)
}

// Begin: the program runs already (its tracer must find the pipe read).
func (tr *tracing) Begin(*stream.Run) error { return nil }

// Read maps the trace until it ends.
func (tr *tracing) Read(run *stream.Run) error {
	err := tr.read(run)
	// Nobody reads the pipe any more: the program must not wait for that.
	tr.throttle.release()
	if tr.gap.over {
		// More events than a run may deliver, or no trace at all: stop the
		// program. (The reader does not always wrap the error it got.)
		err = errTraceTooBig
		tr.logf("slowmo-probe trace: %v", err)
		run.Limit("event-limit")
	}
	return err
}

func (tr *tracing) read(run *stream.Run) error {
	r, err := xtrace.NewReader(tr.gap)
	if err != nil {
		return err
	}
	run.Lock()
	tr.sawTrace = true
	run.Unlock()
	for {
		e, err := r.ReadEvent()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return err
		}
		tr.gap.read = 0
		now := stream.Monotonic()
		tr.lastEvent.Store(now)
		run.Lock()
		lag := time.Duration(now) - time.Duration(e.Time())
		tr.lagSum += lag
		tr.stats.MaxLag = max(tr.stats.MaxLag, lag)
		tr.stats.TraceEvents++
		run.CatchUp(uint64(e.Time()))
		tr.mapper.handle(e)
		run.Unlock()
		if tr.stats.TraceEvents%throttleEvery == 0 {
			tr.throttle.check()
		}
	}
}

// Ahead: output goes out ahead of the trace only once the trace has stopped
// coming (trace.Stop, an abandoned pipe): while it comes, however far
// behind a slow reader keeps it, output waits for its place (within
// stream.Output's bound), or every event after it would be stamped with
// its time.
func (tr *tracing) Ahead(now uint64) (uint64, bool) {
	if now-tr.lastEvent.Load() >= tr.hold {
		return now - tr.hold, true
	}
	return 0, false
}

// quitWindow is how long Quit watches the threads' user time to find the
// one to signal: /proc counts it in 10 ms ticks, so a spinning thread gains
// a few; short beside the grace the program then gets (stream.QuitGrace).
const quitWindow = 50 * time.Millisecond

func (tr *tracing) Quit() bool {
	// A stopped program would print its stacks only once continued.
	tr.throttle.release()
	pid := tr.program()
	if pid == 0 {
		return false
	}
	return stream.Quit(pid, busiestThread(pid, quitWindow))
}

func (tr *tracing) Kill() {
	tr.throttle.release()
	_ = syscall.Kill(-tr.prog.Cmd.Process.Pid, syscall.SIGKILL)
}

func (tr *tracing) Stopped() time.Duration { return tr.throttle.Stopped() }

// Drain: the program is gone; its trace pipe ends when every copy of it is
// closed (a child it started might hold one: do not wait for that long once
// the reader waits on an empty pipe). The reader may still have much to
// write out behind a slow reader of ours: that is waited for.
func (tr *tracing) Drain(read <-chan error) error {
	tr.throttle.close()
	err := waitTrace(read, tr.gap, 2*time.Second, func() { tr.traceR.Close() })
	tr.traceR.Close()
	if tr.dumpR != nil {
		// Its last dump is read whole (or the program's end said) before the run ends.
		select {
		case <-tr.mapper.dumps.read:
		case <-time.After(2 * time.Second):
		}
		tr.dumpR.Close()
	}
	return err
}

// Finish says what became of the trace. lost: the tracer drops nothing (it
// allocates more buffers instead); what a truncated trace misses is not
// counted in events and is said on stderr.
func (tr *tracing) Finish(run *stream.Run, exitCode int, traceErr error) (any, error) {
	switch {
	case !tr.sawTrace:
		// The program never started the tracer (it died first, or the helper is missing).
		if exitCode == 0 {
			run.Failed()
		}
		tr.logf("slowmo-probe trace: the program wrote no trace (%v)", traceErr)
	case traceErr == errTraceTooBig:
		tr.stats.Truncated = true
	case traceErr != nil:
		// Ended without trace.Stop (os.Exit, a crash, a kill): the generation
		// in progress never reached the pipe.
		tr.stats.Truncated = true
		tr.logf("slowmo-probe trace: the trace ends early (%v): the program exited without stopping the tracer, so its last %v of scheduling is missing", traceErr, tr.opts.Period)
	}
	tr.collapse.flush()
	if q := tr.mapper.dumps; q != nil {
		if left := q.end(); left > 0 {
			tr.logf("slowmo-probe trace: %d heap dumps came after the trace ended: left out", left)
		}
	}
	return int64(0), nil
}

// Ended hands over the run's stats.
func (tr *tracing) Ended() <-chan struct{} {
	s := &tr.stats
	s.Collapsed = tr.collapse.collapsed
	s.Throttled, s.Stops = tr.throttle.Stopped(), tr.throttle.Stops()
	if s.TraceEvents > 0 {
		s.MeanLag = tr.lagSum / time.Duration(s.TraceEvents)
	}
	s.Emitted = int(tr.w.Emitted())
	if tr.opts.Stats != nil {
		*tr.opts.Stats = *s
	}
	return nil
}
