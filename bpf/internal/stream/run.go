package stream

import (
	"os"
	"os/exec"
	"sync"
	"time"
)

// The run loop both backends share. A backend (a Source) brings the records
// of what the program did and turns them into events; the loop frames them
// with run.start and run.end, puts the program's output among them at its
// place in time, stops the program at its limits and says why it ended.

// Config is what the loop needs to know of a run besides its backend.
type Config struct {
	Out         *Writer         // the events; its time zero is run.start's
	Start       []Field         // run.start's fields
	Timeout     time.Duration   // 0: none
	Stop        <-chan struct{} // closed: stop the program ("stopped")
	OutputLimit int64           // bytes the program may write; 0: no limit
	Launched    bool            // the program runs under a launcher (see Ending.Exited)
	// Tick is how often the output that waits for its records is looked
	// at (Source.Ahead) and the events are flushed to the reader.
	Tick time.Duration
	// Profiles, when set, is called once the program has exited, before
	// run.end: the fields of each `profile` event to send (internal/profile).
	Profiles func() [][]Field
	// Leak, when set, is called once the program has exited, before the
	// profiles: the fields of the `leak.report` event, none when nil.
	Leak func() []Field
}

// Program is the started program, held or not: what the loop waits for and reads.
type Program struct {
	Cmd            *exec.Cmd
	Stdout, Stderr *os.File
}

// A Source is one backend's side of a run. The loop calls Emit with the
// run's lock held, Begin once run.start is out, Read in a goroutine of its
// own from then on, and at the end Drain, Finish (before run.end) and
// Ended (after it).
type Source interface {
	// Emit writes one of the loop's events (run.start, output, run.end)
	// among the backend's own, numbered and timed as they are.
	Emit(ts uint64, kind string, m, p, g int64, fields ...Field)
	// Begin lets the program run. The run's lock is not held.
	Begin(r *Run) error
	// Read maps the backend's records into events until they end, each
	// under the run's lock and after Run.CatchUp.
	Read(r *Run) error
	// Ahead says, at a tick at now, up to which time (Monotonic) the
	// program's output may go out ahead of the records of what the
	// program did before it; false: it waits for them.
	Ahead(now uint64) (upTo uint64, ok bool)
	// Quit asks the program to print its goroutines' stacks and exit
	// (SIGQUIT), saying whether it could; Kill kills it.
	Quit() bool
	Kill()
	// Stopped is how long the program has been stopped for back-pressure:
	// not its own time, so not counted against the timeout.
	Stopped() time.Duration
	// Drain is called once the program has exited and its output is read:
	// the backend stops watching it and waits for its last records; read
	// gives Read's result.
	Drain(read <-chan error) error
	// Finish, with the lock held, is the backend's last word before
	// run.end, given the program's exit code and Drain's result: the
	// events it lost (an int64, or nil when unknown). An error ends the
	// run without run.end.
	Finish(r *Run, exitCode int, drained error) (lost any, err error)
	// Ended, with the lock held and run.end written, gives what the loop
	// must wait for (unlocked) before the last flush; nil: nothing.
	Ended() <-chan struct{}
}

// Run is a run under way, as its Source sees it. Its lock guards the
// Source's mapping, the output that waits and the Writer.
type Run struct {
	sync.Mutex
	out    *Output
	ending *Ending
}

// CatchUp sends the output written up to ts, the time of the record about
// to be mapped: output waits for the records of what came before it (the
// records come in batches, a trace a generation late). Called with the lock held.
func (r *Run) CatchUp(ts uint64) { r.out.Flush(ts) }

// Limit ends the run for a limit the backend applies itself (e.g. "event-limit").
func (r *Run) Limit(reason string) { r.ending.Limit(reason) }

// Failed says that the backend failed while the program ran ("probe-error"), unless something else ended it first.
func (r *Run) Failed() { r.ending.Failed() }

// Loop runs a program to its end under src and writes its events, from
// run.start to run.end. p is started; src.Begin lets it run. An error
// before run.end is returned (when Begin fails, src.Kill has been called).
func Loop(cfg Config, p Program, src Source) error {
	run := &Run{ending: NewEnding()}
	run.out = &Output{
		Limit:   cfg.OutputLimit,
		OnLimit: func() { run.ending.Limit("output-limit") },
		Emit: func(ts uint64, stream, data string) {
			src.Emit(ts, "output", -1, -1, 0, F("stream", stream), F("data", data))
		},
	}
	run.Lock()
	src.Emit(cfg.Out.Began(), "run.start", -1, -1, 0, cfg.Start...)
	run.Unlock()
	if err := src.Begin(run); err != nil {
		src.Kill()
		return err
	}
	stopTicker := tick(cfg, run, src)
	var pipes sync.WaitGroup
	pipes.Add(2)
	go forward(run, &pipes, p.Stdout, "stdout")
	go forward(run, &pipes, p.Stderr, "stderr")
	read := make(chan error, 1)
	go func() { read <- src.Read(run) }()

	run.ending.Uncounted = src.Stopped
	watched := run.ending.Watch(cfg.Timeout, cfg.Stop, src.Quit, src.Kill)
	pipes.Wait()
	p.Stdout.Close()
	p.Stderr.Close()
	waitErr := p.Cmd.Wait()
	watched()
	drained := src.Drain(read)
	stopTicker()
	exitCode, signal, err := run.ending.Exited(waitErr, cfg.Launched)
	if err != nil {
		return err
	}
	return end(cfg, run, src, exitCode, signal, drained)
}

// forward reads one of the program's streams into the output that waits.
func forward(run *Run, pipes *sync.WaitGroup, r *os.File, stream string) {
	defer pipes.Done()
	ReadOutput(r, func(data string) {
		// Stamped as read, not once the lock is had: the source holds it
		// for each record, and a busy run kept the output's time tens of
		// ms late (the Writer keeps t monotonic if records went first).
		ts := Monotonic()
		run.Lock()
		run.out.Add(ts, stream, data)
		run.Unlock()
	})
}

// tick sends, every cfg.Tick until the returned stop is called, the
// output the source lets go and the events written meanwhile: whoever
// reads the events (the bridge) sees them within a tick. stop returns once
// the ticker has stopped, so the source is never asked (Ahead) after it.
func tick(cfg Config, run *Run, src Source) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.Tick)
		defer t.Stop()
		// The first picture is drawn from run.start: out at once, not at
		// the first tick (here, so that a reader not reading yet holds up
		// no start).
		run.Lock()
		if cfg.Out.Live() {
			_ = cfg.Out.Flush()
		}
		run.Unlock()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				run.Lock()
				if upTo, ok := src.Ahead(Monotonic()); ok {
					run.out.Flush(upTo)
				}
				if cfg.Out.Live() {
					_ = cfg.Out.Flush()
				}
				run.Unlock()
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// end writes what output is left and run.end.
func end(cfg Config, run *Run, src Source, exitCode int, signal string, drained error) error {
	run.Lock()
	lost, err := src.Finish(run, exitCode, drained)
	if err != nil {
		run.Unlock()
		return err
	}
	run.out.Flush(^uint64(0))
	if cfg.Leak != nil {
		if fields := cfg.Leak(); fields != nil {
			src.Emit(Monotonic(), "leak.report", -1, -1, 0, fields...)
		}
	}
	if cfg.Profiles != nil {
		for _, fields := range cfg.Profiles() {
			src.Emit(Monotonic(), "profile", -1, -1, 0, fields...)
		}
	}
	var sig any
	if signal != "" {
		sig = signal
	}
	src.Emit(Monotonic(), "run.end", -1, -1, 0, F("exitCode", exitCode), F("signal", sig),
		F("lost", lost), F("reason", run.ending.Reason()),
		F("throttledMs", src.Stopped().Milliseconds()))
	wait := src.Ended()
	run.Unlock()
	if wait != nil {
		<-wait
	}
	run.Lock()
	defer run.Unlock()
	return cfg.Out.Flush()
}
