package stream

import (
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// A watcher that cannot tell the program to quit kills it at once; one that
// can waits for it to end, up to QuitGrace, and kills only a program that
// outlives that.
func TestWatchQuitsBeforeKilling(t *testing.T) {
	stop := func() chan struct{} { return make(chan struct{}) }
	t.Run("quit impossible: kill at once", func(t *testing.T) {
		e, s := NewEnding(), stop()
		killed := make(chan time.Time, 1)
		ended := e.Watch(0, s, func() bool { return false }, func() { killed <- time.Now() })
		defer ended()
		at := time.Now()
		close(s)
		if d := (<-killed).Sub(at); d > QuitGrace/2 {
			t.Fatalf("killed %v after the stop, want at once", d)
		}
	})
	t.Run("program ignores the quit: killed after the grace", func(t *testing.T) {
		e, s := NewEnding(), stop()
		killed := make(chan time.Time, 1)
		ended := e.Watch(0, s, func() bool { return true }, func() { killed <- time.Now() })
		defer ended()
		at := time.Now()
		close(s)
		if d := (<-killed).Sub(at); d < QuitGrace || d > QuitGrace+time.Second {
			t.Fatalf("killed %v after the stop, want about %v", d, QuitGrace)
		}
	})
	t.Run("program ends on the quit: never killed", func(t *testing.T) {
		e := NewEnding()
		var killed atomic.Bool
		var ended func()
		quit := func() bool {
			go func() { time.Sleep(10 * time.Millisecond); ended() }()
			return true
		}
		ended = e.Watch(20*time.Millisecond, nil, quit, func() { killed.Store(true) })
		// A kill would come QuitGrace after the quit: only waiting past it shows none comes.
		time.Sleep(QuitGrace + 200*time.Millisecond)
		if killed.Load() || e.Reason() != "timeout" {
			t.Fatalf("killed %v, reason %q", killed.Load(), e.Reason())
		}
	})
}

// A limit the probe applies itself stops the program as a stop does, even
// one hit before the watcher starts, and keeps its reason; it does not take
// the place of a reason the run already had.
func TestLimitStopsTheProgram(t *testing.T) {
	t.Run("limit before Watch", func(t *testing.T) {
		e := NewEnding()
		e.Limit("output-limit")
		quit := make(chan struct{}, 1)
		ended := e.Watch(0, nil, func() bool { quit <- struct{}{}; return true }, func() {})
		defer ended()
		select {
		case <-quit:
		case <-time.After(5 * time.Second):
			t.Fatal("the limit never stopped the program")
		}
		if e.Reason() != "output-limit" {
			t.Fatalf("reason %q, want output-limit", e.Reason())
		}
	})
	t.Run("limit after a timeout", func(t *testing.T) {
		e := NewEnding()
		quit := make(chan struct{}, 1)
		ended := e.Watch(time.Millisecond, nil, func() bool { quit <- struct{}{}; return false }, func() {})
		defer ended()
		<-quit
		e.Limit("output-limit")
		if e.Reason() != "timeout" {
			t.Fatalf("reason %q, want timeout", e.Reason())
		}
	})
}

// The Go runtime exits 2 after its SIGQUIT dump: a program the watcher
// stopped still reads as killed, not as one that failed by itself.
func TestExitAfterQuitReadsAsKilled(t *testing.T) {
	exit2 := func() error { return exec.Command("/bin/sh", "-c", "exit 2").Run() }
	e := NewEnding()
	code, sig, err := e.Exited(exit2(), false)
	if err != nil || code != 2 || sig != "" || e.Reason() != "exit" {
		t.Fatalf("unstopped: %d %q %v %q", code, sig, err, e.Reason())
	}
	e = NewEnding()
	s := make(chan struct{})
	ended := e.Watch(0, s, func() bool { return true }, func() {})
	close(s)
	quitMarked(t, e)
	code, sig, err = e.Exited(exit2(), true)
	ended()
	if err != nil || code != -1 || sig != "SIGKILL" || e.Reason() != "stopped" {
		t.Fatalf("stopped: %d %q %v %q", code, sig, err, e.Reason())
	}
}

// A timeout counts the program's time: time it spent stopped for
// back-pressure (Ending.Uncounted) is waited out on top.
func TestTimeoutLeavesOutUncountedTime(t *testing.T) {
	const timeout, stopped = 100 * time.Millisecond, 300 * time.Millisecond
	e := NewEnding()
	e.Uncounted = func() time.Duration { return stopped }
	killed := make(chan time.Time, 1)
	at := time.Now()
	ended := e.Watch(timeout, nil, nil, func() { killed <- time.Now() })
	defer ended()
	if d := (<-killed).Sub(at); d < timeout+stopped {
		t.Fatalf("stopped %v after %v; want at least the timeout plus the uncounted %v", d, timeout, stopped)
	}
	if e.Reason() != "timeout" {
		t.Fatalf("reason %q, want timeout", e.Reason())
	}
}

// quitMarked waits until the watcher has marked its quit, which it does once
// quit returns, before it waits out the grace.
func quitMarked(t *testing.T, e *Ending) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		e.mu.Lock()
		marked := e.quit
		e.mu.Unlock()
		if marked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher never marked its quit (waited 5 s)")
		}
	}
}
