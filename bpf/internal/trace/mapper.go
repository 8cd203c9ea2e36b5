package trace

import (
	"strings"

	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/probe"
)

// mapper turns the tracer's events (in time order, as the reader gives
// them) into protocol events. What the tracer shows is passed on as seen;
// what it does not show (which queue a goroutine went to, steals) is
// deduced from the runtime's own rules and marked inferred.
type mapper struct {
	minor int // the program's Go minor version
	// emit writes one event; t is the trace's timestamp (ns, CLOCK_MONOTONIC).
	emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...probe.Field)

	threads map[xtrace.ThreadID]int64 // OS thread -> M id, in order of first appearance
	known   map[xtrace.GoID]bool      // goroutines announced with g.create
	hidden  map[xtrace.GoID]bool      // the tracer's own goroutines, never shown
	queued  map[xtrace.GoID]int64     // runnable goroutine -> the P whose queue it was put on (inferred), -1 global
	waitWas map[xtrace.GoID]string    // wait reason of a waiting goroutine
	running map[int64]xtrace.GoID     // P -> the goroutine running on it (seen)
	pstate  map[int64]string          // P -> the last p.state sent
	stw     string                    // the reason of the stop-the-world in progress
	// file names a source file as the learner knows it (the build directory may be a copy).
	file func(string) string
}

func newMapper(minor int, emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...probe.Field)) *mapper {
	return &mapper{
		minor: minor, emit: emit,
		threads: map[xtrace.ThreadID]int64{}, known: map[xtrace.GoID]bool{}, hidden: map[xtrace.GoID]bool{},
		queued: map[xtrace.GoID]int64{}, waitWas: map[xtrace.GoID]string{}, running: map[int64]xtrace.GoID{},
		pstate: map[int64]string{}, file: func(f string) string { return f },
	}
}

// mid is the M id of an OS thread: the tracer names threads by their OS
// id; the protocol's M ids are small, numbered as threads first appear.
func (mp *mapper) mid(t xtrace.ThreadID) int64 {
	if t == xtrace.NoThread {
		return -1
	}
	id, ok := mp.threads[t]
	if !ok {
		id = int64(len(mp.threads))
		mp.threads[t] = id
	}
	return id
}

// funcName undoes the helper's renaming of the learner's main.
func funcName(f string) string {
	if strings.HasPrefix(f, "main."+userMain) {
		return "main.main" + f[len("main."+userMain):]
	}
	return f
}

// isUser says whether a function is the learner's (not the runtime's or the standard library's).
func isUser(fn string) bool {
	pkg := fn
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		pkg = fn[i:]
	}
	if i := strings.Index(pkg, "."); i >= 0 {
		pkg = fn[:len(fn)-len(pkg)+i]
	}
	if pkg == "main" {
		return true
	}
	// Standard library paths have no dot in their first element.
	first, _, _ := strings.Cut(pkg, "/")
	return strings.Contains(first, ".")
}

func frames(s xtrace.Stack) []xtrace.StackFrame {
	var out []xtrace.StackFrame
	for f := range s.Frames() {
		out = append(out, f)
	}
	return out
}

func funcsOf(fr []xtrace.StackFrame) []string {
	out := make([]string, len(fr))
	for i, f := range fr {
		out[i] = f.Func
	}
	return out
}

// userFrame is the innermost frame in the learner's code.
func userFrame(fr []xtrace.StackFrame) (string, int64, bool) {
	for _, f := range fr {
		if isUser(f.Func) {
			return f.File, int64(f.Line), true
		}
	}
	return "", 0, false
}

// tracerGoroutine says whether a goroutine starting in fn is the tracer's own
// (runtime/trace's writer, the runtime's generation advancer): the program
// without the probe would not have it.
func tracerGoroutine(fn string) bool {
	return strings.HasPrefix(fn, "runtime/trace.") || strings.HasPrefix(fn, "runtime.(*traceAdvancerState)") ||
		strings.HasPrefix(fn, "runtime.traceAdvance") || strings.HasPrefix(fn, "runtime.traceStartReadCPU")
}

// tracerSTW are the tracer's own stops of the world: the program without
// the probe would not have them.
var tracerSTW = map[string]bool{"start trace": true, "stop trace": true}

// handle maps one trace event.
func (mp *mapper) handle(e xtrace.Event) {
	t := int64(e.Time())
	m := mp.mid(e.Thread())
	p := int64(e.Proc())
	g := int64(e.Goroutine())
	if e.Goroutine() == xtrace.NoGoroutine || mp.hidden[e.Goroutine()] {
		g = 0
	}
	ev := func(kind string, inferred bool, fields ...probe.Field) {
		mp.emit(t, kind, m, p, g, inferred, fields...)
	}
	switch e.Kind() {
	case xtrace.EventStateTransition:
		st := e.StateTransition()
		switch st.Resource.Kind {
		case xtrace.ResourceGoroutine:
			mp.goroutine(e, st, t, m, p, g, ev)
		case xtrace.ResourceProc:
			mp.proc(st, t, m, g)
		}
	case xtrace.EventRangeBegin, xtrace.EventRangeActive:
		name := e.Range().Name
		if name == "GC concurrent mark phase" {
			// The tracer's GC range starts with the cycle (gcStart, before
			// sweep termination) and ends when marking is done.
			phase := "sweepterm"
			if e.Kind() == xtrace.EventRangeActive {
				phase = "mark" // already under way when the trace started
			}
			ev("gc", false, probe.F("phase", phase))
		} else if reason, ok := strings.CutPrefix(name, "stop-the-world ("); ok {
			reason = strings.TrimSuffix(reason, ")")
			mp.stw = reason
			if tracerSTW[reason] {
				return
			}
			if reason == "GC mark termination" {
				ev("gc", false, probe.F("phase", "marktermination"))
			}
			ev("stw", false, probe.F("begin", true), probe.F("reason", reason))
		}
	case xtrace.EventRangeEnd:
		if strings.HasPrefix(e.Range().Name, "stop-the-world (") {
			reason := mp.stw
			mp.stw = ""
			if tracerSTW[reason] {
				return
			}
			ev("stw", false, probe.F("begin", false), probe.F("reason", ""))
			switch reason {
			case "GC sweep termination":
				// Sweep termination ends by starting the world with marking on.
				ev("gc", false, probe.F("phase", "mark"))
			case "GC mark termination":
				// Mark termination turns the GC off before it starts the world again.
				ev("gc", false, probe.F("phase", "off"))
			}
		}
	}
}

func (mp *mapper) goroutine(e xtrace.Event, st xtrace.StateTransition, t, m, p, g int64, ev func(string, bool, ...probe.Field)) {
	id := st.Resource.Goroutine()
	goid := int64(id)
	from, to := st.Goroutine()
	if goid <= 0 || mp.hidden[id] {
		return
	}
	switch {
	case from == xtrace.GoNotExist && to != xtrace.GoNotExist:
		// Creation: the new goroutine's stack is its start function; the
		// event's stack is its creator's, at the go statement.
		start := frames(st.Stack)
		fn := ""
		if len(start) > 0 {
			fn = funcName(start[0].Func)
		}
		if tracerGoroutine(fn) {
			mp.hidden[id] = true
			return
		}
		file, line := "", int64(0)
		if site := frames(e.Stack()); len(site) > 0 {
			file, line = mp.file(site[0].File), int64(site[0].Line)
		}
		mp.known[id] = true
		ev("g.create", false, probe.F("goid", goid), probe.F("parent", g), probe.F("fn", fn),
			probe.F("file", file), probe.F("line", line))
		switch to {
		case xtrace.GoRunnable:
			// newproc puts the new goroutine in its creator's P's runnext.
			mp.runnable(id, p, "create", ev)
		case xtrace.GoWaiting:
			mp.waiting(id, st, ev)
		case xtrace.GoSyscall:
			ev("g.syscall", false, probe.F("goid", goid))
		}
	case from == xtrace.GoUndetermined:
		// A goroutine that existed when the trace started.
		if mp.known[id] {
			return
		}
		stack := frames(st.Stack)
		fn := "" // not seen
		if goid == 1 {
			fn = "runtime.main"
		} else if len(stack) > 0 {
			fn = funcName(stack[len(stack)-1].Func)
		}
		if tracerGoroutine(fn) || (len(stack) > 0 && tracerGoroutine(stack[len(stack)-1].Func)) {
			mp.hidden[id] = true
			return
		}
		mp.known[id] = true
		mp.emit(t, "g.create", -1, -1, 0, true, probe.F("goid", goid), probe.F("parent", int64(0)),
			probe.F("fn", fn), probe.F("file", ""), probe.F("line", int64(0)))
		switch to {
		case xtrace.GoRunning:
			mp.start(id, t, m, p)
		case xtrace.GoRunnable:
			mp.queued[id] = -1
			mp.emit(t, "g.runnable", -1, -1, 0, true, probe.F("goid", goid), probe.F("queue", "global"),
				probe.F("qp", int64(-1)), probe.F("reason", "other"))
		case xtrace.GoWaiting:
			reason := waitReason(st.Reason, funcsOf(stack), mp.minor)
			mp.waitWas[id] = reason
			fields := []probe.Field{probe.F("goid", goid), probe.F("reason", reason)}
			if file, line, ok := userFrame(stack); ok {
				fields = append(fields, probe.F("file", mp.file(file)), probe.F("line", line))
			}
			mp.emit(t, "g.waiting", -1, -1, 0, true, fields...)
		case xtrace.GoSyscall:
			mp.emit(t, "g.syscall", m, p, 0, true, probe.F("goid", goid))
		}
	case from == xtrace.GoRunnable && to == xtrace.GoRunning:
		mp.start(id, t, m, p)
	case from == xtrace.GoRunning && to == xtrace.GoRunnable:
		mp.stopped(p, id)
		// goschedImpl puts a goroutine that yields or is preempted on the global queue.
		mp.queued[id] = -1
		ev("g.runnable", true, probe.F("goid", goid), probe.F("queue", "global"), probe.F("qp", int64(-1)),
			probe.F("reason", stopReason(st.Reason)))
	case from == xtrace.GoRunning && to == xtrace.GoWaiting:
		mp.stopped(p, id)
		mp.waiting(id, st, ev)
	case from == xtrace.GoWaiting && to == xtrace.GoRunnable:
		reason := "ready"
		if mp.waitWas[id] == "IO wait" && g == 0 {
			reason = "netpoll"
		}
		delete(mp.waitWas, id)
		qp := p
		if reason == "netpoll" {
			qp = -1 // injectglist: the global queue when Ps are idle; which one is not seen
		}
		// The unblock is emitted on the waker's goroutine, with its stack: who
		// woke it (not the scheduler on g0, nor the tracer's own) and where.
		var woke []probe.Field
		if g > 0 && g != goid {
			woke = append(woke, probe.F("by", g))
			if file, line, ok := userFrame(frames(e.Stack())); ok {
				woke = append(woke, probe.F("file", mp.file(file)), probe.F("line", line))
			}
		}
		mp.runnable(id, qp, reason, ev, woke...)
	case from == xtrace.GoRunning && to == xtrace.GoSyscall:
		ev("g.syscall", false, probe.F("goid", goid))
		if mp.minor < 26 && p >= 0 {
			// Before 1.26 the P stays with its M in the syscall state.
			mp.setP(t, m, p, g, "syscall", m, false)
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunning:
		ev("g.syscall.exit", false, probe.F("goid", goid))
		if p >= 0 {
			mp.running[p] = id
			if mp.pstate[p] != "running" {
				mp.setP(t, m, p, g, "running", m, false)
			}
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunnable:
		// Left the syscall without a P: it waits for one.
		mp.queued[id] = -1
		mp.emit(t, "g.syscall.exit", m, -1, 0, false, probe.F("goid", goid))
	case to == xtrace.GoNotExist:
		mp.stopped(p, id)
		delete(mp.known, id)
		delete(mp.queued, id)
		ev("g.exit", false, probe.F("goid", goid))
	}
}

// runnable says where a goroutine made runnable was put, which the tracer
// does not show: by the runtime's rules a goroutine created or readied by a
// goroutine running on P goes to P's runnext; anything else, to the global
// queue.
func (mp *mapper) runnable(id xtrace.GoID, qp int64, reason string, ev func(string, bool, ...probe.Field), extra ...probe.Field) {
	queue := "runnext"
	if qp < 0 {
		queue, qp = "global", -1
	}
	mp.queued[id] = qp
	fields := []probe.Field{probe.F("goid", int64(id)), probe.F("queue", queue), probe.F("qp", qp), probe.F("reason", reason)}
	ev("g.runnable", true, append(fields, extra...)...)
}

func (mp *mapper) waiting(id xtrace.GoID, st xtrace.StateTransition, ev func(string, bool, ...probe.Field)) {
	stack := frames(st.Stack)
	for _, f := range stack {
		if f.Func == marker {
			// The learner's main has returned; this is the helper waiting for
			// the tracer to flush. The program without the probe has exited
			// by now: nothing more of this goroutine is shown.
			mp.hidden[id] = true
			return
		}
	}
	reason := waitReason(st.Reason, funcsOf(stack), mp.minor)
	mp.waitWas[id] = reason
	fields := []probe.Field{probe.F("goid", int64(id)), probe.F("reason", reason)}
	if file, line, ok := userFrame(stack); ok {
		fields = append(fields, probe.F("file", mp.file(file)), probe.F("line", line))
	}
	ev("g.waiting", false, fields...)
}

// start is a goroutine starting to run on P. If it was (by inference) in
// another P's queue while that P was busy running something else, the
// likeliest way it got here is a steal: said so, as inferred.
func (mp *mapper) start(id xtrace.GoID, t, m, p int64) {
	if victim, ok := mp.queued[id]; ok && victim >= 0 && p >= 0 && victim != p {
		if busy, ok := mp.running[victim]; ok && busy != id {
			mp.emit(t, "steal", m, p, 0, true, probe.F("thief", p), probe.F("victim", victim), probe.F("goids", []int64{int64(id)}))
		}
	}
	delete(mp.queued, id)
	if p >= 0 {
		mp.running[p] = id
		if mp.pstate[p] != "running" {
			mp.setP(t, m, p, 0, "running", m, false)
		}
	}
	mp.emit(t, "g.running", m, p, 0, false, probe.F("goid", int64(id)), probe.F("inheritTime", false))
}

func (mp *mapper) stopped(p int64, id xtrace.GoID) {
	if p >= 0 && mp.running[p] == id {
		delete(mp.running, p)
	}
}

func (mp *mapper) proc(st xtrace.StateTransition, t, m, g int64) {
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
			mp.setP(t, m, pid, g, "idle", -1, false)
		}
	}
}

// setP sends a p.state of P pid (the event's p is its subject, DESIGN.md).
func (mp *mapper) setP(t, m, pid, g int64, state string, pm int64, inferred bool) {
	mp.pstate[pid] = state
	mp.emit(t, "p.state", m, pid, g, inferred, probe.F("state", state), probe.F("pm", pm))
}
