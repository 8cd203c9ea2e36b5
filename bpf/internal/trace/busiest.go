package trace

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
	before := userTimes(pid)
	time.Sleep(window)
	after := userTimes(pid)
	best, most := pid, uint64(0)
	for tid, t := range after {
		if was, ok := before[tid]; ok && t-was > most {
			best, most = tid, t-was
		}
	}
	return best
}

// userTimes reads each thread's user time (clock ticks) from
// /proc/PID/task/TID/stat; a thread that went meanwhile is left out.
func userTimes(pid int) map[int]uint64 {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	times := make(map[int]uint64, len(entries))
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue
		}
		if t, ok := utimeOf(string(stat)); ok {
			times[tid] = t
		}
	}
	return times
}

// utimeOf is field 14 of a stat line (proc(5)). The command name, field 2,
// is in parentheses and may hold spaces or parentheses itself: fields are
// counted from the last ')'.
func utimeOf(stat string) (uint64, bool) {
	close := strings.LastIndexByte(stat, ')')
	if close < 0 {
		return 0, false
	}
	// After ')': state (3), ppid (4), … utime (14).
	fields := strings.Fields(stat[close+1:])
	if len(fields) < 12 {
		return 0, false
	}
	t, err := strconv.ParseUint(fields[11], 10, 64)
	return t, err == nil
}
