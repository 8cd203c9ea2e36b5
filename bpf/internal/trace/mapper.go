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

	// What the mapper has learned of each stack of this generation (the
	// reader's stack tables are per generation): a busy program blocks and
	// wakes at the same few places again and again.
	stacks map[xtrace.Stack]*stackInfo
	// The event being mapped: its time and context, and the fields of what it
	// emits (reused, so that emitting allocates as little as it can).
	t, m, p, g int64
	fields     []probe.Field
}

// stackInfo is what the mapper reads in one stack.
type stackInfo struct {
	funcs     []string // innermost first
	first     xtrace.StackFrame
	outermost string
	helper    bool // the helper's trace stop is on it (marker)
	// The innermost frame in the learner's code, its file as the learner names it.
	userFile string
	userLine int64
	user     bool
}

func newMapper(minor int, emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...probe.Field)) *mapper {
	return &mapper{
		minor: minor, emit: emit,
		threads: map[xtrace.ThreadID]int64{}, known: map[xtrace.GoID]bool{}, hidden: map[xtrace.GoID]bool{},
		queued: map[xtrace.GoID]int64{}, waitWas: map[xtrace.GoID]string{}, running: map[int64]xtrace.GoID{},
		pstate: map[int64]string{}, file: func(f string) string { return f },
		stacks: map[xtrace.Stack]*stackInfo{},
	}
}

var noStack = &stackInfo{}

// stack reads s once per generation.
func (mp *mapper) stack(s xtrace.Stack) *stackInfo {
	if s == xtrace.NoStack {
		return noStack
	}
	if info, ok := mp.stacks[s]; ok {
		return info
	}
	info := &stackInfo{}
	for f := range s.Frames() {
		if len(info.funcs) == 0 {
			info.first = f
		}
		info.funcs = append(info.funcs, f.Func)
		info.outermost = f.Func
		info.helper = info.helper || f.Func == marker
		if !info.user && isUser(f.Func) {
			info.user, info.userFile, info.userLine = true, mp.file(f.File), int64(f.Line)
		}
	}
	mp.stacks[s] = info
	return info
}

// ev emits an event in the context of the event being mapped.
func (mp *mapper) ev(kind string, inferred bool, fields ...probe.Field) {
	mp.out(mp.t, kind, mp.m, mp.p, mp.g, inferred, fields...)
}

// out emits an event; its fields are copied.
func (mp *mapper) out(t int64, kind string, m, p, g int64, inferred bool, fields ...probe.Field) {
	mp.fields = append(mp.fields[:0], fields...)
	mp.emit(t, kind, m, p, g, inferred, mp.fields...)
}

// withUserLine adds the learner's innermost line on stack, if any, to fields.
func withUserLine(fields []probe.Field, info *stackInfo) []probe.Field {
	if info.user {
		fields = append(fields, probe.F("file", info.userFile), probe.F("line", info.userLine))
	}
	return fields
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
	mp.t, mp.m, mp.p, mp.g = t, m, p, g
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
			mp.ev("gc", false, probe.F("phase", phase))
		} else if reason, ok := strings.CutPrefix(name, "stop-the-world ("); ok {
			reason = strings.TrimSuffix(reason, ")")
			mp.stw = reason
			if tracerSTW[reason] {
				return
			}
			if reason == "GC mark termination" {
				mp.ev("gc", false, probe.F("phase", "marktermination"))
			}
			mp.ev("stw", false, probe.F("begin", true), probe.F("reason", reason))
		}
	case xtrace.EventRangeEnd:
		if strings.HasPrefix(e.Range().Name, "stop-the-world (") {
			reason := mp.stw
			mp.stw = ""
			if tracerSTW[reason] {
				return
			}
			mp.ev("stw", false, probe.F("begin", false), probe.F("reason", ""))
			switch reason {
			case "GC sweep termination":
				// Sweep termination ends by starting the world with marking on.
				mp.ev("gc", false, probe.F("phase", "mark"))
			case "GC mark termination":
				// Mark termination turns the GC off before it starts the world again.
				mp.ev("gc", false, probe.F("phase", "off"))
			}
		}
	}
}

func (mp *mapper) goroutine(e xtrace.Event, st xtrace.StateTransition) {
	t, m, p, g := mp.t, mp.m, mp.p, mp.g
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
		mp.ev("g.create", false, probe.F("goid", goid), probe.F("parent", g), probe.F("fn", fn),
			probe.F("file", file), probe.F("line", line))
		switch to {
		case xtrace.GoRunnable:
			// newproc puts the new goroutine in its creator's P's runnext.
			mp.runnable(id, p, "create")
		case xtrace.GoWaiting:
			mp.waiting(id, st)
		case xtrace.GoSyscall:
			mp.ev("g.syscall", false, probe.F("goid", goid))
		}
	case from == xtrace.GoUndetermined:
		// A goroutine that existed when the trace started.
		if mp.known[id] {
			return
		}
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
		mp.out(t, "g.create", -1, -1, 0, true, probe.F("goid", goid), probe.F("parent", int64(0)),
			probe.F("fn", fn), probe.F("file", ""), probe.F("line", int64(0)))
		switch to {
		case xtrace.GoRunning:
			mp.start(id, t, m, p)
		case xtrace.GoRunnable:
			mp.queued[id] = -1
			mp.out(t, "g.runnable", -1, -1, 0, true, probe.F("goid", goid), probe.F("queue", "global"),
				probe.F("qp", int64(-1)), probe.F("reason", "other"))
		case xtrace.GoWaiting:
			reason := waitReason(st.Reason, stack.funcs, mp.minor)
			mp.waitWas[id] = reason
			mp.fields = withUserLine(append(mp.fields[:0], probe.F("goid", goid), probe.F("reason", reason)), stack)
			mp.emit(t, "g.waiting", -1, -1, 0, true, mp.fields...)
		case xtrace.GoSyscall:
			mp.out(t, "g.syscall", m, p, 0, true, probe.F("goid", goid))
		}
	case from == xtrace.GoRunnable && to == xtrace.GoRunning:
		mp.start(id, t, m, p)
	case from == xtrace.GoRunning && to == xtrace.GoRunnable:
		mp.stopped(p, id)
		// goschedImpl puts a goroutine that yields or is preempted on the global queue.
		mp.queued[id] = -1
		mp.ev("g.runnable", true, probe.F("goid", goid), probe.F("queue", "global"), probe.F("qp", int64(-1)),
			probe.F("reason", stopReason(st.Reason)))
	case from == xtrace.GoRunning && to == xtrace.GoWaiting:
		mp.stopped(p, id)
		mp.waiting(id, st)
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
		var waker *stackInfo
		if g > 0 && g != goid {
			waker = mp.stack(e.Stack())
		}
		mp.runnable(id, qp, reason, waker)
	case from == xtrace.GoRunning && to == xtrace.GoSyscall:
		mp.ev("g.syscall", false, probe.F("goid", goid))
		if mp.minor < 26 && p >= 0 {
			// Before 1.26 the P stays with its M in the syscall state.
			mp.setP(t, m, p, g, "syscall", m, false)
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunning:
		mp.ev("g.syscall.exit", false, probe.F("goid", goid))
		if p >= 0 {
			mp.running[p] = id
			if mp.pstate[p] != "running" {
				mp.setP(t, m, p, g, "running", m, false)
			}
		}
	case from == xtrace.GoSyscall && to == xtrace.GoRunnable:
		// Left the syscall without a P: it waits for one.
		mp.queued[id] = -1
		mp.out(t, "g.syscall.exit", m, -1, 0, false, probe.F("goid", goid))
	case to == xtrace.GoNotExist:
		mp.stopped(p, id)
		delete(mp.known, id)
		delete(mp.queued, id)
		mp.ev("g.exit", false, probe.F("goid", goid))
	}
}

// runnable says where a goroutine made runnable was put, which the tracer
// does not show: by the runtime's rules a goroutine created or readied by a
// goroutine running on P goes to P's runnext; anything else, to the global
// queue. waker, when not nil, is the stack of the goroutine that woke it (the
// event's g).
func (mp *mapper) runnable(id xtrace.GoID, qp int64, reason string, waker ...*stackInfo) {
	queue := "runnext"
	if qp < 0 {
		queue, qp = "global", -1
	}
	mp.queued[id] = qp
	mp.fields = append(mp.fields[:0], probe.F("goid", int64(id)), probe.F("queue", queue), probe.F("qp", qp), probe.F("reason", reason))
	if len(waker) > 0 && waker[0] != nil {
		mp.fields = withUserLine(append(mp.fields, probe.F("by", mp.g)), waker[0])
	}
	mp.emit(mp.t, "g.runnable", mp.m, mp.p, mp.g, true, mp.fields...)
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
	reason := waitReason(st.Reason, stack.funcs, mp.minor)
	mp.waitWas[id] = reason
	mp.fields = withUserLine(append(mp.fields[:0], probe.F("goid", int64(id)), probe.F("reason", reason)), stack)
	mp.emit(mp.t, "g.waiting", mp.m, mp.p, mp.g, false, mp.fields...)
}

// start is a goroutine starting to run on P. If it was (by inference) in
// another P's queue while that P was busy running something else, the
// likeliest way it got here is a steal: said so, as inferred.
func (mp *mapper) start(id xtrace.GoID, t, m, p int64) {
	if victim, ok := mp.queued[id]; ok && victim >= 0 && p >= 0 && victim != p {
		if busy, ok := mp.running[victim]; ok && busy != id {
			mp.out(t, "steal", m, p, 0, true, probe.F("thief", p), probe.F("victim", victim), probe.F("goids", []int64{int64(id)}))
		}
	}
	delete(mp.queued, id)
	if p >= 0 {
		mp.running[p] = id
		if mp.pstate[p] != "running" {
			mp.setP(t, m, p, 0, "running", m, false)
		}
	}
	mp.out(t, "g.running", m, p, 0, false, probe.F("goid", int64(id)), probe.F("inheritTime", false))
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
	mp.out(t, "p.state", m, pid, g, inferred, probe.F("state", state), probe.F("pm", pm))
}
