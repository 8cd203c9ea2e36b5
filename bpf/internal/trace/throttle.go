package trace

import (
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/stream"
)

// Back-pressure: a traced run loses nothing and the program waits instead.
// The runtime's tracer never waits for its reader: with the pipe full it
// keeps its trace in memory, and since a generation ends only once the one
// before it has been read (traceAdvance), that one generation grows without
// bound (245 MB in 10 s behind a slow bridge) and trace.Stop, at the end,
// waits until all of it has been read. The busy program's run then took as
// long as its events took to go through the bridge, ten times its own time.
//
// So the program waits, stopped, while the probe is behind. The helper
// writes the trace to a non-blocking pipe and, when the pipe is full, stops
// its own process (SIGSTOP, prepare.go): at once, whether or not the probe
// gets the CPU to look (on a busy machine a look every 2 ms came 20-70 ms
// late, and a busy program traces 10 MB/s). The probe continues it
// (SIGCONT) once it has read the pipe down to an eighth, and it stops the
// program itself when it finds the pipe more than half full, for a binary
// built with an older helper. The pipe is small (tracePipeBytes, a few
// thousand events): how far the probe may be behind the program, so how long
// the last events take after the program ends. A program slowed so makes
// fewer events in its own time; run.end says how long it was stopped
// (throttledMs), and the timeout does not count that time.
//
// What it does not bound: the probe writes a generation out only once it
// has read it whole, and the program runs on while it is read, until the
// tracer's advancer goroutine ends the generation (every period, 10 ms, at
// best). A busy program makes 4.5 million events a second; on a loaded
// machine a generation read after a stop was seen to take 80 ms of the
// program's time and more (up to 3.8 MB, 700,000 events), which a bridge
// then takes 10-30 s to pass on. Bounding that needs generations ended on
// demand, or a generation parsed as it comes.
//
// The stop distorts what the eBPF backend's stops distort
// (probe/backpressure.go; both keep their account in stream.Pauses): the
// monotonic clock runs on, so timers fire in a burst after it; sysmon's
// records are reset before each continue (package sysmon) so that it
// neither preempts a goroutine nor retakes a P merely because the program
// was stopped.

// tracePipeBytes is the trace pipe's size (Linux's default is 64 KiB).
const tracePipeBytes = 16 << 10

// throttlePoll is how often the throttle looks at the pipe by itself; the
// reader looks too, before and after each read and every throttleEvery
// events it maps (run.go).
const throttlePoll = 2 * time.Millisecond

// throttleEvery is how many trace events the probe maps between looks at
// the pipe of its own (a fraction of a millisecond of its work).
const throttleEvery = 256

type throttle struct {
	*stream.Pauses
	pipe      syscall.RawConn // the trace pipe's read end
	high, low int
	// program finds the program's pid (0: not yet, or no more).
	program func() int
	// sysmon makes what resets the program's sysmon records (nil: it cannot).
	sysmon func(pid int) func() error

	// dumping: the program writes heap dumps (the GC lens), so only it may
	// stop itself, never while a dump is being written (prepare.go): a stop
	// from here could land in the middle of one and cut it short.
	dumping bool

	mu        sync.Mutex
	pid       int
	reset     func() error
	triedSysm bool
	off       bool // the run is ending: no more stops
}

// newThrottle sizes the trace pipe r and watches it. running, when not nil,
// is told false as the program is stopped (or ends) and true as it goes on.
// dumping: the program writes heap dumps (see the field).
func newThrottle(r *os.File, program func() int, sysmon func(int) func() error, running func(bool), dumping bool) *throttle {
	t := &throttle{Pauses: stream.NewPauses(running), program: program, sysmon: sysmon, dumping: dumping}
	size := 64 << 10 // Linux's default
	if conn, err := r.SyscallConn(); err == nil {
		t.pipe = conn
		_ = conn.Control(func(fd uintptr) {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, tracePipeBytes)
			if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n > 0 {
				size = n
			}
		})
	}
	t.high, t.low = size/2, size/8
	t.Poll(throttlePoll, func() { t.look(true) })
	return t
}

// queued is how many bytes of trace wait in the pipe; -1 when not known.
func (t *throttle) queued() int {
	n := -1
	if t.pipe != nil {
		_ = t.pipe.Control(func(fd uintptr) {
			// TIOCINQ is FIONREAD: the bytes a pipe holds.
			if v, err := unix.IoctlGetInt(int(fd), unix.TIOCINQ); err == nil {
				n = v
			}
		})
	}
	return n
}

// check stops the program if the probe is behind it, or continues it if the
// probe has caught up.
func (t *throttle) check() { t.look(false) }

// beforeRead is check for a reader about to read the pipe: if it is empty,
// the program may have stopped itself on a full pipe that the reader has
// emptied since the last look, and the reader would wait for it forever.
func (t *throttle) beforeRead() {
	if t.queued() == 0 {
		t.look(true)
	}
}

// look checks; proc: if the pipe is low, look whether the program has
// stopped itself unseen (the ticks do; reading its state costs a few µs).
func (t *throttle) look(proc bool) {
	n := t.queued()
	if n < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pid == 0 {
		if t.pid = t.program(); t.pid == 0 {
			return
		}
	}
	if t.off {
		// The run is ending (the program may be printing its stacks), or
		// the pipe is read no more: a program that stopped itself on it
		// goes on, whatever the pipe holds.
		if proc && launch.Stopped(t.pid) {
			_ = syscall.Kill(t.pid, syscall.SIGCONT)
		}
		return
	}
	if !t.Stopping() {
		switch {
		case n >= t.high && !t.dumping:
			// It stops itself on a full pipe (prepare.go); an older helper does not.
			_ = syscall.Kill(t.pid, syscall.SIGSTOP)
		case n <= t.low && proc && launch.Stopped(t.pid):
			// It stopped itself, and the reader has taken the pipe since.
		default:
			return
		}
		t.Stop(stream.Monotonic())
	}
	if n <= t.low {
		t.resume()
	}
}

// resume continues the stopped program; t.mu is held.
func (t *throttle) resume() {
	if !t.triedSysm {
		// Looked up once, at the first stop: most runs are never stopped.
		t.triedSysm = true
		if t.sysmon != nil {
			t.reset = t.sysmon(t.pid)
		}
	}
	if t.reset != nil {
		_ = t.reset() // best effort: the program may be exiting
	}
	_ = syscall.Kill(t.pid, syscall.SIGCONT)
	t.Go()
}

// release continues the program if it is stopped, and stops no more: the
// run is ending (it is asked to print its stacks, or its trace is no longer
// read).
func (t *throttle) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.off = true
	if t.Stopping() {
		t.resume()
	}
}

// close releases the program, stops watching and says that the program has
// ended (its last events may still be on their way); Stopped still answers.
func (t *throttle) close() {
	t.release()
	t.Pauses.Close()
	t.End()
}
