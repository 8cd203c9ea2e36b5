package trace

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestUtimeOf(t *testing.T) {
	// A command name may hold spaces and parentheses: fields count from the last ')'.
	stat := "4242 (a) b (c) R 1 4242 4242 0 -1 4194560 90 0 0 0 731 12 0 0 20 0 3 0 99 0 0"
	if got, ok := utimeOf(stat); !ok || got != 731 {
		t.Fatalf("utimeOf = %d, %v; want 731, true", got, ok)
	}
	if _, ok := utimeOf("4242 (cut"); ok {
		t.Fatal("utimeOf read a line with no ')'")
	}
}

// The thread a spinning goroutine runs on is the one Quit signals, whichever
// thread it is: here one of this test's own, not its main thread.
func TestBusiestThreadIsTheSpinningOne(t *testing.T) {
	// Two goroutines, each locked to a thread of its own: at most one of them
	// has the main thread, and the other spins.
	type locked struct {
		tid  int
		spin chan bool
	}
	var stop atomic.Bool
	defer stop.Store(true)
	started := make(chan locked)
	for range 2 {
		go func() {
			runtime.LockOSThread()
			l := locked{unix.Gettid(), make(chan bool)}
			started <- l
			if !<-l.spin {
				return
			}
			for !stop.Load() {
			}
		}()
	}
	a, b := <-started, <-started
	if a.tid == os.Getpid() {
		a, b = b, a
	}
	b.spin <- false
	a.spin <- true
	if got := busiestThread(os.Getpid(), quitWindow); got != a.tid {
		t.Fatalf("busiestThread = %d, want the spinning thread %d", got, a.tid)
	}
	// No process: its main thread, for Quit to try and fail on.
	if got := busiestThread(1<<30, time.Millisecond); got != 1<<30 {
		t.Fatalf("busiestThread of no process = %d, want the pid", got)
	}
}
