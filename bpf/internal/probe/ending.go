package probe

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
}

// NewEnding starts with "exit".
func NewEnding() *Ending { return &Ending{reason: "exit"} }

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

// Watch kills the program at the timeout (0: none) or when stop is closed
// (nil: never). Call the returned func once the program has ended.
func (e *Ending) Watch(timeout time.Duration, stop <-chan struct{}, kill func()) (ended func()) {
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() {
			e.set("timeout", true)
			kill()
		})
	}
	finished := make(chan struct{})
	if stop != nil {
		go func() {
			select {
			case <-stop:
				e.set("stopped", false)
				kill()
			case <-finished:
			}
		}()
	}
	return func() {
		if timer != nil {
			timer.Stop()
		}
		close(finished)
	}
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
	if signal != "" {
		e.set("signal", false)
	}
	return code, signal, nil
}

// Failed marks the run as the watcher's failure unless something else ended it.
func (e *Ending) Failed() { e.set("probe-error", false) }
