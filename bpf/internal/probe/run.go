package probe

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/sysmon"
	"go-slowmo.dev/bpf/internal/target"
)

// Options of one recorded run.
type Options struct {
	Binary  string
	Args    []string
	Procs   int           // GOMAXPROCS; 0 means the number of CPUs
	Timeout time.Duration // 0 means none
	// Godebug is the learner's GODEBUG settings; launch.Godebug joins the probe's own after them.
	Godebug string
	Out     io.Writer // NDJSON events
	// Paced mode (pace.go): stop at each event, driven by commands on Control.
	Paced   bool
	Speed   float64 // events per second at the start; 0 starts paused
	Control io.Reader
	// SysmonSeesPauses leaves sysmon's records alone across pauses
	// (package sysmon), so it preempts and retakes as in a really slow program.
	SysmonSeesPauses bool
	// Launcher, when set, is the command line the target runs under (package launch),
	// and InsidePath the binary's path as the launcher's sandbox sees it.
	Launcher   []string
	InsidePath string
	// Stop, when closed, kills the target; run.end then says "stopped".
	Stop <-chan struct{}
	// OutputLimit, when above 0, ends the run "output-limit" as soon as the
	// program has written more than this many bytes.
	OutputLimit int64
	// Preloaded, when set, are the probes loaded ahead (preload.go); else Run loads them.
	Preloaded *Loading
	// Dir is the directory the program starts in; "" is the probe's own.
	Dir string
	// Running, when set, is told as the program stops running, stopped for
	// back-pressure (backpressure.go) or ended (false), and as it is
	// continued (true), so that a watcher's wall clock can count only the
	// program's time, as the probe's own Timeout does: not the time it was
	// held for its reader, nor the time its last events take to be read.
	Running func(running bool)
	// AllSnapshots sends every run queue snapshot the probes take, also
	// those the events already imply (snapshots.go): for checking the model
	// the normalizer keeps against the runtime's own queues.
	AllSnapshots bool
	// RetSites puts the return probes on the RETs themselves, single-stepped,
	// as before their emulated sites (returns.go): make bench compares.
	RetSites bool
	// GC records the heap and its marking (gc.go, the GC lens), following
	// at most GCMaxObjects allocations (GCMaxObjects when 0).
	GC           bool
	GCMaxObjects int
	// Profile collects the runtime's profiles of a program built with the
	// profile helper (internal/profile) and sends them as `profile` events
	// before run.end; ProfileDir, when not "", gets them as pprof files.
	// ProfileLog is told what went wrong with them.
	Profile    bool
	ProfileDir string
	ProfileLog io.Writer
	// Leak sends the runtime's own goroutine leak report (a program built
	// with the profile helper; internal/profile/leak.go) as `leak.report`
	// before run.end, with or without the profiles.
	Leak bool

	profileW *os.File // the program's end of the profile pipe
}

// Run starts the target under the probes and writes its events, ending with
// run.end, to opts.Out. Errors before the target starts (bad binary, no
// eBPF) are returned and nothing is written.
func Run(opts Options) error {
	loading := opts.Preloaded
	if loading == nil {
		loading = StartLoad()
	}
	defer loading.Close() // when not handed over
	if opts.Procs <= 0 {
		opts.Procs = runtime.NumCPU()
	}
	var profiles func() [][]stream.Field
	var leak func() []stream.Field
	if opts.Profile || opts.Leak {
		col, w, err := profile.Start()
		if err != nil {
			return err
		}
		defer col.Close()
		opts.profileW = w
		if opts.Profile {
			profiles = col.Events(opts.ProfileDir, opts.ProfileLog)
		}
		if opts.Leak {
			leak = col.LeakEvent(opts.ProfileLog)
		}
	}
	r, err := start(opts, loading)
	if err != nil {
		return err
	}
	defer r.close()
	start := []stream.Field{F("goVersion", r.bin.GoVersion), F("gomaxprocs", opts.Procs), F("backend", "ebpf"),
		F("fidelity", map[string]bool{"runq": true, "runnext": true, "steals": true, "lines": opts.Paced})}
	if opts.GC {
		start = append(start, F("gcLens", gcLens(r.bin, opts.GCMaxObjects)))
	}
	if opts.Paced {
		// So that the picture can say whether pauses count as the program's time.
		start = append(start, F("paced", map[string]string{"sysmon": SysmonMode(opts.SysmonSeesPauses)}))
	}
	return stream.Loop(stream.Config{
		Out: r.w, Start: start, Timeout: opts.Timeout, Stop: opts.Stop, OutputLimit: opts.OutputLimit,
		Launched: len(opts.Launcher) > 0, Tick: outputLag, Profiles: profiles, Leak: leak,
	}, r.held.Program, r)
}

// outputLag is how long output may wait for the records of what came before it.
const outputLag = 25 * time.Millisecond

// IsBadInput says whether err is about the target binary (the user's to fix) rather than the probe.
func IsBadInput(err error) bool {
	var te *target.Error
	return errors.As(err, &te)
}

// recorder is the eBPF backend's side of a run (stream.Source): the
// probes' records, read from the ring buffer and normalized.
type recorder struct {
	opts     Options
	bin      *target.Binary
	probes   *Probes
	user     *userProbes // nil: the program has no annotations to see (user.go)
	gc       *gcProbes   // nil: without Options.GC (gc.go)
	held     *launch.Held
	sysmon   *sysmon.Ticks // where the target's sysmon keeps its records; nil: unknown
	n        *normalizer
	w        *stream.Writer
	run      *stream.Run
	pace     *pacer // nil unless paced
	paceDone chan struct{}
	throttle *throttle
	// The thread that last began to run main's goroutine, for Quit.
	mainThread atomic.Int64
	// A record taken from the ring and not yet normalized (Ahead).
	inHand atomic.Bool
}

func (r *recorder) close() {
	r.user.close()
	r.gc.close()
	r.probes.Close()
	r.bin.Close()
}

// Emit writes one of the run loop's events among the normalizer's.
func (r *recorder) Emit(ts uint64, kind string, m, p, g int64, fields ...stream.Field) {
	r.n.event(ts, kind, m, p, g, fields...)
}

// Begin starts the pace (paced mode) and the back-pressure, and opens the gate.
func (r *recorder) Begin(run *stream.Run) error {
	r.run = run
	r.paceDone = make(chan struct{})
	if r.opts.Paced {
		if err := r.w.Flush(); err != nil {
			return err
		}
		control := r.opts.Control
		if control == nil {
			control = strings.NewReader("")
		}
		r.pace = newPacer(nil, r.probes, r.held.Pid, r.opts.Speed)
		r.pace.out = r.w.Divert(r.pace.push)
		if !r.opts.SysmonSeesPauses {
			r.pace.ticks = r.sysmonOf()
		}
		go func() {
			r.pace.loop(run, control)
			close(r.paceDone)
		}()
	} else {
		close(r.paceDone)
	}
	// A slow reader of opts.Out slows the program instead of losing its events.
	var err error
	if r.throttle, err = startThrottle(r.probes, r.held.Pid, r.sysmonOf(), r.opts.Running); err != nil {
		return err
	}
	// Release the target: the gate execs it now.
	if err := r.held.Open(); err != nil {
		r.held.Kill()
	}
	return nil
}

// sysmonOf is where the target's sysmon keeps its records, for one user.
func (r *recorder) sysmonOf() *sysmon.Ticks { return r.sysmon.For(r.held.Pid) }

// Read normalizes the ring buffer's records until it is flushed (Drain).
func (r *recorder) Read(run *stream.Run) error {
	var rec ringbuf.Record
	for {
		if err := r.probes.Reader.ReadInto(&rec); err != nil {
			if errors.Is(err, ringbuf.ErrFlushed) || errors.Is(err, ringbuf.ErrClosed) {
				return nil
			}
			return err
		}
		r.inHand.Store(true)
		rd, err := decode(rec.RawSample)
		if err != nil {
			r.inHand.Store(false)
			continue
		}
		if rd.kind == kExecute && rd.a[0] == 1 {
			r.mainThread.Store(int64(rd.tid))
		}
		run.Lock()
		run.CatchUp(rd.ts)
		r.n.take(rd)
		if r.pace != nil {
			// The probe that wrote rd may have stopped the target even if rd
			// made no event (a repeated snapshot or M state): let the pacer
			// decide whether to continue it.
			r.pace.poke()
		}
		r.inHand.Store(false)
		run.Unlock()
	}
}

// Ahead: the ring buffer is read in batches, so output waits a little for
// the records of what came before it, and while the reader is behind (records
// wait in the ring, or one is in hand) it waits for them all: on a loaded
// machine the reader can fall more than outputLag behind a short program, and
// output sent ahead of its records would push their times (made monotonic
// behind it) to the output's, flattening the run. CatchUp still lets the
// output out as the records pass its time, so a busy ring never starves it.
func (r *recorder) Ahead(now uint64) (uint64, bool) {
	if r.inHand.Load() || r.probes.Reader.AvailableBytes() > 0 {
		return 0, false
	}
	return now - uint64(outputLag), true
}

func (r *recorder) Quit() bool {
	pid := r.held.Pid
	if r.pace != nil {
		// A paced program waits stopped at an event: let it run free to
		// print its stacks.
		r.run.Lock()
		r.pace.mode = free
		_ = r.probes.SetPaced(false)
		r.pace.poke()
		r.run.Unlock()
		ok := stream.Quit(pid, int(r.mainThread.Load()))
		_ = syscall.Kill(pid, syscall.SIGCONT)
		return ok
	}
	ok := stream.Quit(pid, int(r.mainThread.Load()))
	if r.throttle.stopped() {
		// Let it print its stacks; a record made meanwhile above the
		// high-water mark stops it again until the ring is read.
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	return ok
}

func (r *recorder) Kill() { r.held.Kill() }

func (r *recorder) Stopped() time.Duration { return r.throttle.Stopped() }

// Drain: the process is gone, nothing more will be written. Read what is left, then stop.
func (r *recorder) Drain(read <-chan error) error {
	r.throttle.close()
	err := r.probes.Reader.Flush()
	if readErr := <-read; readErr != nil {
		err = readErr
	}
	return err
}

// Finish says the puts the normalizer still holds back (holds.go), and
// counts what the ring buffer lost; a failed read is the probe's failure.
func (r *recorder) Finish(run *stream.Run, _ int, drained error) (any, error) {
	r.n.flush()
	if drained != nil {
		run.Failed()
	}
	lost, err := r.probes.Lost()
	userLost, userErr := r.user.lost()
	gcLost, gcErr := r.gc.lost()
	if err == nil {
		err = userErr
	}
	if err == nil {
		err = gcErr
	}
	return int64(lost + userLost + gcLost), err
}

// Ended lets the pace deliver the rest, run.end last.
func (r *recorder) Ended() <-chan struct{} {
	if r.pace != nil {
		r.pace.end()
	}
	return r.paceDone
}
