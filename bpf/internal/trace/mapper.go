package trace

import (
	"strings"

	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/perturb"
	"go-slowmo.dev/bpf/internal/stream"
)

// mapper turns the tracer's events (in time order, as the reader gives
// them) into protocol events. What the tracer shows is passed on as seen;
// what it does not show (which queue a goroutine went to, steals) is
// deduced from the runtime's own rules and marked inferred.
type mapper struct {
	minor int // the program's Go minor version
	// emit writes one event; t is the trace's timestamp (ns, CLOCK_MONOTONIC).
	emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field)

	threads map[xtrace.ThreadID]int64 // OS thread -> M id, in order of first appearance
	known   map[xtrace.GoID]bool      // goroutines announced with g.create
	hidden  map[xtrace.GoID]bool      // the tracer's own goroutines, never shown
	queued  map[xtrace.GoID]int64     // runnable goroutine -> the P whose queue it was put on (inferred), -1 global
	waitWas map[xtrace.GoID]string    // wait reason of a waiting goroutine
	running map[int64]xtrace.GoID     // P -> the goroutine running on it (seen)
	pstate  map[int64]string          // P -> the last p.state sent
	stw     string                    // the reason of the stop-the-world in progress
	gc      string                    // the last GC phase sent ("" before any)
	user    *stream.Annotations       // the program's own tasks and regions (annotations.go)
	// file names a source file as the learner knows it (the build directory may be a copy).
	file func(string) string
	// The GC lens (dumps.go), when on: each heap dump's events, sent at its
	// stop of the world; the goroutines waiting for a dump (left out of the
	// picture: the program without the lens does not wait there), with the
	// P each was running on; the heap's size and goal last sent.
	dumps              *dumpQueue
	lensWait           map[xtrace.GoID]int64
	heapLive, heapGoal uint64
	sizeAt             int64
	maxObjects         int
	limitSaid          bool

	// What the mapper has learned of each stack of this generation (the
	// reader's stack tables are per generation): a busy program blocks and
	// wakes at the same few places again and again.
	stacks map[xtrace.Stack]*stackInfo
	// The event being mapped: its time and context, and the fields of what it
	// emits (reused, so that emitting allocates as little as it can).
	t, m, p, g int64
	fields     []stream.Field
}

// stackInfo is what the mapper reads in one stack.
type stackInfo struct {
	funcs     []string // innermost first
	first     xtrace.StackFrame
	outermost string
	helper    bool // the helper's trace stop is on it (marker)
	dumpWait  bool // waiting for a heap dump of the GC lens (dumpAsk)
	// The innermost frame in the learner's code, its file as the learner names it.
	userFile string
	userLine int64
	user     bool
}

func newMapper(minor int, emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field)) *mapper {
	return &mapper{
		minor: minor, emit: emit,
		threads: map[xtrace.ThreadID]int64{}, known: map[xtrace.GoID]bool{}, hidden: map[xtrace.GoID]bool{},
		queued: map[xtrace.GoID]int64{}, waitWas: map[xtrace.GoID]string{}, running: map[int64]xtrace.GoID{},
		pstate: map[int64]string{}, file: func(f string) string { return f },
		stacks: map[xtrace.Stack]*stackInfo{}, user: stream.NewAnnotations(),
		lensWait: map[xtrace.GoID]int64{},
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
		info.dumpWait = info.dumpWait || f.Func == dumpAsk
		if !info.user && isUser(f.Func) {
			info.user, info.userFile, info.userLine = true, mp.file(f.File), int64(f.Line)
		}
	}
	mp.stacks[s] = info
	return info
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

// isUser says whether a function is the learner's (not the runtime's or the
// standard library's). The schedule perturbation's helper is not: its caller's
// line is where the learner asked for it.
func isUser(fn string) bool {
	if perturb.IsHelperFunc(fn) {
		return false
	}
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
	return fn == dumpGoroutine || strings.HasPrefix(fn, "runtime/trace.") || strings.HasPrefix(fn, "runtime.(*traceAdvancerState)") ||
		strings.HasPrefix(fn, "runtime.traceAdvance") || strings.HasPrefix(fn, "runtime.traceStartReadCPU")
}

// tracerSTW are the tracer's own stops of the world: the program without
// the probe would not have them.
var tracerSTW = map[string]bool{"start trace": true, "stop trace": true}
