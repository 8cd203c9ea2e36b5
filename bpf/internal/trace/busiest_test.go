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
	tids := make(chan int)
	var stop atomic.Bool
	defer stop.Store(true)
	go func() {
		runtime.LockOSThread()
		tids <- unix.Gettid()
		for n := 0; !stop.Load(); n++ {
		}
	}()
	tid := <-tids
	if tid == os.Getpid() {
		t.Skip("the spinning goroutine got the main thread")
	}
	if got := busiestThread(os.Getpid(), quitWindow); got != tid {
		t.Fatalf("busiestThread = %d, want the spinning thread %d", got, tid)
	}
	// No process: its main thread, for Quit to try and fail on.
	if got := busiestThread(1<<30, time.Millisecond); got != 1<<30 {
		t.Fatalf("busiestThread of no process = %d, want the pid", got)
	}
}
