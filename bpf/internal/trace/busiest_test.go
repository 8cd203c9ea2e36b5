package trace

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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
