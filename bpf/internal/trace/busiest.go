package trace

import (
	"time"

	"go-slowmo.dev/bpf/internal/launch"
)

// busiestThread is the thread of process pid that spent the most user time
// over the next window, or pid itself (its main thread) when none ran.
//
// The stack dump SIGQUIT asks for shows in full only the goroutine on the
// thread that takes the signal: one running on another thread reads "stack
// unavailable" (runtime/traceback.go, tracebackothers). The trace comes too
// late to say where main's goroutine runs now, but a goroutine that will not
// end is most often spinning, and the thread running it is the one whose
// user time grows: the runtime's own busy waits (osyield while it suspends a
// goroutine for the tracer) are system time. Parked goroutines print in full
// from any thread.
func busiestThread(pid int, window time.Duration) int {
	before := launch.UserTimes(pid)
	time.Sleep(window)
	after := launch.UserTimes(pid)
	best, most := pid, uint64(0)
	for tid, t := range after {
		if was, ok := before[tid]; ok && t-was > most {
			best, most = tid, t-was
		}
	}
	return best
}
