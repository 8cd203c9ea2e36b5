package trace

import (
	"strings"

	xtrace "golang.org/x/exp/trace"
)

// handle maps one trace event.
func (mp *mapper) handle(e xtrace.Event) {
	mp.t = int64(e.Time())
	mp.m = mp.mid(e.Thread())
	mp.p = int64(e.Proc())
	mp.g = int64(e.Goroutine())
	if e.Goroutine() == xtrace.NoGoroutine || mp.hidden[e.Goroutine()] {
		mp.g = 0
	}
	switch e.Kind() {
	case xtrace.EventSync:
		// A new generation: its stacks are new ones.
		clear(mp.stacks)
	case xtrace.EventStateTransition:
		st := e.StateTransition()
		switch st.Resource.Kind {
		case xtrace.ResourceGoroutine:
			mp.goroutine(e, st)
		case xtrace.ResourceProc:
			mp.proc(st)
		}
	case xtrace.EventRangeBegin, xtrace.EventRangeActive:
		mp.rangeBegin(e.Range().Name, e.Kind() == xtrace.EventRangeActive)
	case xtrace.EventRangeEnd:
		mp.rangeEnd(e.Range().Name)
	case xtrace.EventMetric:
		if mp.dumps != nil {
			mp.metric(e.Metric())
		}
	case xtrace.EventTaskBegin, xtrace.EventTaskEnd, xtrace.EventRegionBegin, xtrace.EventRegionEnd, xtrace.EventLog:
		mp.annotation(e)
	}
}

// The GC's phases. The tracer does not see the runtime change its phase
// (setGCPhase): it sees the cycle begin (before the world stops for sweep
// termination) and end (after the GC is off, before the world starts
// again), and each stop of the world with its reason. The phases are put
// where the runtime changes them, inside those stops: sweep termination as
// its stop begins, mark as it ends (the world starts again marking), mark
// termination and off at the cycle's end, with the world stopped for mark
// termination (mark termination lasts a few microseconds and ends there).
// A stop for mark termination that finds more work starts the world again
// with no change of phase: no cycle's end comes in it.

// rangeBegin: a stop of the world begins, or a GC cycle or a stop was
// under way (active) when a generation of the trace began: new only in
// the first.
func (mp *mapper) rangeBegin(name string, active bool) {
	if name == gcRange {
		if active && mp.gc == "" {
			mp.gcPhase("mark")
		}
		return
	}
	reason, ok := strings.CutPrefix(name, "stop-the-world (")
	if !ok {
		return
	}
	reason = strings.TrimSuffix(reason, ")")
	if active && mp.stw == reason {
		return
	}
	mp.stw = reason
	if tracerSTW[reason] {
		return
	}
	if reason == dumpSTW && mp.dumps != nil {
		mp.heapDump()
		return
	}
	if reason == "GC sweep termination" {
		mp.gcPhase("sweepterm")
	}
	mp.worldStop(true, reason)
}

// rangeEnd: a stop of the world ends, or a GC cycle.
func (mp *mapper) rangeEnd(name string) {
	if name == gcRange {
		mp.gcPhase("marktermination")
		mp.gcPhase("off")
		return
	}
	if !strings.HasPrefix(name, "stop-the-world (") {
		return
	}
	reason := mp.stw
	mp.stw = ""
	if tracerSTW[reason] || reason == dumpSTW && mp.dumps != nil {
		return
	}
	if reason == "GC sweep termination" {
		mp.gcPhase("mark")
	}
	mp.worldStop(false, "")
}

// gcRange is the tracer's range of a GC cycle (GCStart to GCDone).
const gcRange = "GC concurrent mark phase"

// goroutine maps a goroutine's change of state.
func (mp *mapper) goroutine(e xtrace.Event, st xtrace.StateTransition) {
	id := st.Resource.Goroutine()
	from, to := st.Goroutine()
	if id <= 0 || mp.hidden[id] {
		return
	}
	switch {
	case from == xtrace.GoNotExist && to != xtrace.GoNotExist:
		mp.created(e, st, id, to)
	case from == xtrace.GoUndetermined:
		mp.existing(st, id, to)
	case to == xtrace.GoNotExist:
		mp.stopped(mp.p, id)
		delete(mp.known, id)
		delete(mp.queued, id)
		mp.user.Exit(int64(id))
		mp.gExit(mp.here(), int64(id))
	case from == xtrace.GoRunnable && to == xtrace.GoRunning:
		mp.start(id, mp.t, mp.m, mp.p)
	case from == xtrace.GoRunning && to == xtrace.GoRunnable:
		mp.stopped(mp.p, id)
		// goschedImpl puts a goroutine that yields or is preempted on the global queue.
		mp.queued[id] = -1
		mp.gRunnable(mp.here().guessed(), int64(id), "global", -1, stopReason(st.Reason), nil)
	case from == xtrace.GoRunning && to == xtrace.GoWaiting:
		mp.stopped(mp.p, id)
		mp.waiting(id, st)
	case from == xtrace.GoWaiting && to == xtrace.GoRunnable:
		mp.woken(e, id)
	case from == xtrace.GoSyscall || to == xtrace.GoSyscall:
		mp.syscall(id, from, to)
	}
}

// created: a goroutine made by a go statement. The new goroutine's stack
// is its start function; the event's stack is its creator's, at the go
// statement.
func (mp *mapper) created(e xtrace.Event, st xtrace.StateTransition, id xtrace.GoID, to xtrace.GoState) {
	fn := funcName(mp.stack(st.Stack).first.Func)
	if tracerGoroutine(fn) {
		mp.hidden[id] = true
		return
	}
	site := mp.stack(e.Stack()).first
	file, line := "", int64(0)
	if site.Func != "" || site.File != "" {
		file, line = mp.file(site.File), int64(site.Line)
	}
	mp.known[id] = true
	mp.gCreate(mp.here(), int64(id), mp.g, fn, file, line)
	switch to {
	case xtrace.GoRunnable:
		// newproc puts the new goroutine in its creator's P's runnext.
		mp.runnable(id, mp.p, "create", nil)
	case xtrace.GoWaiting:
		mp.waiting(id, st)
	case xtrace.GoSyscall:
		mp.gSyscall(mp.here(), int64(id))
	}
}

// existing: a goroutine that existed when the trace started, said as
// created then (inferred) and in the state the trace found it in.
func (mp *mapper) existing(st xtrace.StateTransition, id xtrace.GoID, to xtrace.GoState) {
	if mp.known[id] {
		return
	}
	goid := int64(id)
	stack := mp.stack(st.Stack)
	fn := "" // not seen
	if goid == 1 {
		fn = "runtime.main"
	} else if stack.outermost != "" {
		fn = funcName(stack.outermost)
	}
	if tracerGoroutine(fn) || tracerGoroutine(stack.outermost) {
		mp.hidden[id] = true
		return
	}
	mp.known[id] = true
	mp.gCreate(mp.before(), goid, 0, fn, "", 0)
	switch to {
	case xtrace.GoRunning:
		mp.start(id, mp.t, mp.m, mp.p)
	case xtrace.GoRunnable:
		mp.queued[id] = -1
		mp.gRunnable(mp.before(), goid, "global", -1, "other", nil)
	case xtrace.GoWaiting:
		reason := waitReason(st.Reason, stack.funcs, mp.minor)
		mp.waitWas[id] = reason
		mp.gWaiting(mp.before(), goid, reason, stack)
	case xtrace.GoSyscall:
		mp.gSyscall(at{t: mp.t, m: mp.m, p: mp.p, inferred: true}, goid)
	}
}

// woken: a waiting goroutine made runnable.
func (mp *mapper) woken(e xtrace.Event, id xtrace.GoID) {
	if _, ok := mp.lensWait[id]; ok {
		return
	}
	reason := "ready"
	if mp.waitWas[id] == "IO wait" && mp.g == 0 {
		reason = "netpoll"
	}
	delete(mp.waitWas, id)
	qp := mp.p
	if reason == "netpoll" {
		qp = -1 // injectglist: the global queue when Ps are idle; which one is not seen
	}
	// The unblock is emitted on the waker's goroutine, with its stack: who
	// woke it (not the scheduler on g0, nor the tracer's own) and where.
	var waker *stackInfo
	if mp.g > 0 && mp.g != int64(id) {
		waker = mp.stack(e.Stack())
	}
	mp.runnable(id, qp, reason, waker)
}

// syscall: a goroutine enters or leaves a system call.
func (mp *mapper) syscall(id xtrace.GoID, from, to xtrace.GoState) {
	goid := int64(id)
	switch {
	case from == xtrace.GoRunning && to == xtrace.GoSyscall:
		mp.gSyscall(mp.here(), goid)
		if mp.minor < 26 && mp.p >= 0 {
			// Before 1.26 the P stays with its M in the syscall state.
			mp.pState(mp.here(), "syscall", mp.m)
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunning:
		mp.gSyscallExit(mp.here(), goid)
		if mp.p >= 0 {
			mp.running[mp.p] = id
			if mp.pstate[mp.p] != "running" {
				mp.pState(mp.here(), "running", mp.m)
			}
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunnable:
		// Left the syscall without a P: it waits for one.
		mp.queued[id] = -1
		mp.gSyscallExit(at{t: mp.t, m: mp.m, p: -1}, goid)
	}
}

// runnable says where a goroutine made runnable was put, which the tracer
// does not show: by the runtime's rules a goroutine created or readied by a
// goroutine running on P goes to P's runnext; anything else, to the global
// queue. waker, when not nil, is the stack of the goroutine that woke it (the
// event's g).
func (mp *mapper) runnable(id xtrace.GoID, qp int64, reason string, waker *stackInfo) {
	queue := "runnext"
	if qp < 0 {
		queue, qp = "global", -1
	}
	mp.queued[id] = qp
	mp.gRunnable(mp.here().guessed(), int64(id), queue, qp, reason, waker)
}

func (mp *mapper) waiting(id xtrace.GoID, st xtrace.StateTransition) {
	stack := mp.stack(st.Stack)
	if stack.helper {
		// The learner's main has returned; this is the helper waiting for
		// the tracer to flush. The program without the probe has exited
		// by now: nothing more of this goroutine is shown.
		mp.hidden[id] = true
		return
	}
	if stack.dumpWait && mp.dumps != nil {
		// Waiting for the GC lens's heap dump: still running, as far as the
		// picture goes, until it runs again.
		mp.lensWait[id] = mp.p
		return
	}
	reason := waitReason(st.Reason, stack.funcs, mp.minor)
	mp.waitWas[id] = reason
	mp.gWaiting(mp.here(), int64(id), reason, stack)
}

// start is a goroutine starting to run on P. If it was (by inference) in
// another P's queue while that P was busy running something else, the
// likeliest way it got here is a steal: said so, as inferred.
func (mp *mapper) start(id xtrace.GoID, t, m, p int64) {
	if was, ok := mp.lensWait[id]; ok {
		delete(mp.lensWait, id)
		if was == p && p >= 0 {
			mp.running[p] = id
			return
		}
	}
	on := at{t: t, m: m, p: p}
	if victim, ok := mp.queued[id]; ok && victim >= 0 && p >= 0 && victim != p {
		if busy, ok := mp.running[victim]; ok && busy != id {
			mp.steal(on.guessed(), p, victim, int64(id))
		}
	}
	delete(mp.queued, id)
	if p >= 0 {
		mp.running[p] = id
		if mp.pstate[p] != "running" {
			mp.pState(on, "running", m)
		}
	}
	mp.gRunning(on, int64(id))
}

func (mp *mapper) stopped(p int64, id xtrace.GoID) {
	if p >= 0 && mp.running[p] == id {
		delete(mp.running, p)
	}
}

// proc maps a P's change of state.
func (mp *mapper) proc(st xtrace.StateTransition) {
	pid := int64(st.Resource.Proc())
	from, to := st.Proc()
	if pid < 0 || from == to {
		return
	}
	switch to {
	case xtrace.ProcRunning:
		// Said when a goroutine we show runs on it (start): a P that an M
		// takes only to run the tracer's own goroutines, or to look for
		// work and give up, is left idle in the picture.
	case xtrace.ProcIdle:
		delete(mp.running, pid)
		if st, ok := mp.pstate[pid]; ok && st != "idle" {
			// The event's p is the subject of p.state (docs/ARCHITECTURE.md, "The event model").
			mp.pState(at{t: mp.t, m: mp.m, p: pid, g: mp.g}, "idle", -1)
		}
	}
}
