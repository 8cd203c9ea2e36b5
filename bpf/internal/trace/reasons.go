package trace

import "strings"

// waitReason names why a goroutine blocked as the runtime's own wait reason
// text (runtime.waitReasonStrings, what the eBPF backend and a goroutine
// dump say), from the tracer's coarser block reason and the blocking stack
// (funcs, innermost first). minor is the Go release's minor version.
func waitReason(traceReason string, funcs []string, minor int) string {
	has := func(prefix string) bool {
		for _, f := range funcs {
			if strings.HasPrefix(f, prefix) {
				return true
			}
		}
		return false
	}
	switch traceReason {
	case "chan receive", "chan send", "select", "sleep", "preempted", "GC weak to strong wait":
		return traceReason
	case "network":
		return "IO wait"
	case "sync.(*Cond).Wait":
		return "sync.Cond.Wait"
	case "GC mark assist wait for work":
		return "GC assist wait"
	case "GC background sweeper wait":
		return "GC sweep wait"
	case "wait until GC ends":
		return "wait for GC cycle"
	case "wait for debug call":
		return "debug call"
	case "forever":
		switch {
		case has("runtime.block"):
			return "select (no cases)"
		case has("runtime.chanrecv"):
			return "chan receive (nil chan)"
		case has("runtime.chansend"):
			return "chan send (nil chan)"
		}
		return "forever"
	case "sync":
		// The innermost sync function says which; the runtime passes the
		// matching wait reason to semacquire.
		for _, f := range funcs {
			switch {
			case strings.Contains(f, "(*RWMutex).RLock"):
				return "sync.RWMutex.RLock"
			case strings.Contains(f, "(*RWMutex).Lock"):
				return "sync.RWMutex.Lock"
			case strings.HasPrefix(f, "sync.(*Mutex).") || strings.HasPrefix(f, "internal/sync.(*Mutex)."):
				return "sync.Mutex.Lock"
			case strings.HasPrefix(f, "sync.(*WaitGroup).Wait"):
				if minor >= 24 {
					return "sync.WaitGroup.Wait"
				}
				return "semacquire"
			}
		}
		return "semacquire"
	case "system goroutine wait":
		switch {
		case has("runtime.forcegchelper"):
			return "force gc (idle)"
		case has("runtime.runfinq"):
			return "finalizer wait"
		case has("runtime.bgscavenge"):
			return "GC scavenge wait"
		case has("runtime.gcBgMarkWorker"):
			return "GC worker (idle)"
		case has("runtime.bgsweep"):
			return "GC sweep wait"
		case has("runtime.runCleanups") || has("runtime.(*cleanupQueue)"):
			return "cleanup wait"
		case has("runtime.updateMaxProcsGoroutine"):
			return "GOMAXPROCS updater (idle)"
		}
	}
	if traceReason == "" {
		return "unknown"
	}
	return traceReason
}

// stopReason is why a running goroutine stopped (GoStop) as a g.runnable
// reason: Gosched yields, sysmon or the GC preempt.
func stopReason(traceReason string) string {
	switch traceReason {
	case "runtime.Gosched":
		return "yield"
	case "preempted":
		return "preempt"
	}
	return "other"
}
