package stream

import (
	"errors"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Ending decides run.end's reason for both backends. The program's own end
// is "exit", or "signal" when a signal killed it; the watcher's "timeout"
// and "stopped" win over those, since they caused the end.
type Ending struct {
	mu     sync.Mutex
	reason string
	quit   bool // the watcher asked the program to quit
	// limited is closed when the probe sees the program pass a limit.
	limited   chan struct{}
	limitOnce sync.Once
	// Uncounted, when set before Watch, is the time so far that does not
	// count against the timeout: the program was stopped for back-pressure
	// (Pauses), which is the recorder's time, not the program's.
	Uncounted func() time.Duration
}

// QuitGrace is how long a program the watcher stops gets to print its
// goroutines' stacks and exit before it is killed. The Go runtime needs a
// few milliseconds for that; a program that catches SIGQUIT costs the full
// grace and is killed.
const QuitGrace = 500 * time.Millisecond

// NewEnding starts with "exit".
func NewEnding() *Ending { return &Ending{reason: "exit", limited: make(chan struct{})} }

// Limit stops the program as Watch does, for reason (a limit the probe
// applies itself, such as "output-limit"), unless something else ended the
// run first. It may come before Watch, which then stops the program at once.
func (e *Ending) Limit(reason string) {
	e.set(reason, false)
	e.limitOnce.Do(func() { close(e.limited) })
}

// Reason is the reason so far.
func (e *Ending) Reason() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason
}

func (e *Ending) set(reason string, force bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if force || e.reason == "exit" {
		e.reason = reason
	}
}

// Watch stops the program at the timeout (0: none), when stop is closed
// (nil: never) or at a limit (Limit). Stopping calls quit (nil: none), which should send the
// program SIGQUIT and say whether it could: the Go runtime then writes
// every goroutine's stack to stderr, so the learner sees where an endless
// program was. The program gets QuitGrace to do so and end; then, or at
// once when it could not be told, kill. Call the returned func once the
// program has ended.
func (e *Ending) Watch(timeout time.Duration, stop <-chan struct{}, quit func() bool, kill func()) (ended func()) {
	finished := make(chan struct{})
	var once sync.Once
	end := func() {
		once.Do(func() {
			if quit != nil && quit() {
				e.mu.Lock()
				e.quit = true
				e.mu.Unlock()
				select {
				case <-finished:
					return
				case <-time.After(QuitGrace):
				}
			}
			kill()
		})
	}
	var timerMu sync.Mutex
	var timer *time.Timer
	over := false // the program has ended: no timer is set again
	if timeout > 0 {
		var counted time.Duration
		var fire func()
		fire = func() {
			if e.Uncounted != nil {
				// Time that did not count since the timer was set: wait that much more.
				if extra := e.Uncounted() - counted; extra > 0 {
					counted += extra
					timerMu.Lock()
					if !over {
						timer = time.AfterFunc(extra, fire)
					}
					timerMu.Unlock()
					return
				}
			}
			e.set("timeout", true)
			end()
		}
		timerMu.Lock()
		timer = time.AfterFunc(timeout, fire)
		timerMu.Unlock()
	}
	go func() {
		select {
		case <-stop: // nil: never
			e.set("stopped", false)
			end()
		case <-e.limited:
			end()
		case <-finished:
		}
	}()
	return func() {
		timerMu.Lock()
		over = true
		if timer != nil {
			timer.Stop()
		}
		timerMu.Unlock()
		close(finished)
	}
}

// Quit sends SIGQUIT to thread tid of process pid, or, if that thread is
// gone, to its main thread. Go prints the stack of the goroutine on the
// thread that takes the signal, and has to stop those running on other
// threads (async preemption, a few milliseconds) to print theirs: one it
// cannot stop in time, on a busy machine or with asyncpreemptoff (paced
// mode), reads "stack unavailable". So tid should be the thread that runs
// main's goroutine; sent to the process, the signal may go to any thread
// (seen: sysmon's, while main spun on another).
func Quit(pid, tid int) bool {
	return unix.Tgkill(pid, tid, unix.SIGQUIT) == nil || unix.Tgkill(pid, pid, unix.SIGQUIT) == nil
}

// Exited reads cmd.Wait's result: the program's exit code, or -1 and the
// signal's name when a signal killed it. A launcher (a sandbox) reports a
// killed child the way a shell does, as 128+signal. Any other error is the
// watcher's and is returned.
func (e *Ending) Exited(waitErr error, launched bool) (code int, signal string, err error) {
	var exitErr *exec.ExitError
	if !errors.As(waitErr, &exitErr) {
		return 0, "", waitErr
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code, signal = -1, unix.SignalName(ws.Signal())
	} else {
		code = exitErr.ExitCode()
		if launched && code > 128 && code < 128+65 {
			code, signal = -1, unix.SignalName(syscall.Signal(code-128))
		}
	}
	e.mu.Lock()
	quit := e.quit
	e.mu.Unlock()
	if quit && (signal == "" && code == 2 || signal == "SIGQUIT") {
		// It printed its stacks and exited (2 is the Go runtime's exit after
		// SIGQUIT) because the watcher stopped it: report the stop as it
		// was before the quit, a kill, not as the program's own failure.
		code, signal = -1, "SIGKILL"
	}
	if signal != "" {
		e.set("signal", false)
	}
	return code, signal, nil
}

// Failed marks the run as the watcher's failure unless something else ended it.
func (e *Ending) Failed() { e.set("probe-error", false) }
