package trace

import (
	"time"

	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/stream"
)

// The mapper's events, one constructor per kind (kernel-bridge's
// src/protocol/events.ts says what each means; the Go tests check every
// event against its generated schema).

// at is when and in what context (M, P, the goroutine on that M) an event
// happened, and whether the mapper inferred it rather than saw it.
type at struct {
	t, m, p, g int64
	inferred   bool
}

// here is the context of the trace event being mapped.
func (mp *mapper) here() at { return at{t: mp.t, m: mp.m, p: mp.p, g: mp.g} }

// before is the context of what happened before the trace began (no M, no P), inferred.
func (mp *mapper) before() at { return at{t: mp.t, m: -1, p: -1, inferred: true} }

func (a at) guessed() at {
	a.inferred = true
	return a
}

// send emits an event; its fields are copied (into the reused mp.fields),
// with the learner's innermost line on stack, if any, after them.
func (mp *mapper) send(a at, kind string, stack *stackInfo, fields ...stream.Field) {
	mp.fields = append(mp.fields[:0], fields...)
	if stack != nil && stack.user {
		mp.fields = append(mp.fields, stream.F("file", stack.userFile), stream.F("line", stack.userLine))
	}
	mp.emit(a.t, kind, a.m, a.p, a.g, a.inferred, mp.fields...)
}

func (mp *mapper) gCreate(a at, goid, parent int64, fn, file string, line int64) {
	mp.send(a, "g.create", nil, stream.F("goid", goid), stream.F("parent", parent), stream.F("fn", fn),
		stream.F("file", file), stream.F("line", line))
}

// gRunnable: waker, when not nil, is the stack of the goroutine that made
// it runnable, a.g: said as who and where.
func (mp *mapper) gRunnable(a at, goid int64, queue string, qp int64, reason string, waker *stackInfo) {
	if waker == nil {
		mp.send(a, "g.runnable", nil, stream.F("goid", goid), stream.F("queue", queue), stream.F("qp", qp),
			stream.F("reason", reason))
		return
	}
	mp.send(a, "g.runnable", waker, stream.F("goid", goid), stream.F("queue", queue), stream.F("qp", qp),
		stream.F("reason", reason), stream.F("by", a.g))
}

func (mp *mapper) gRunning(a at, goid int64) {
	mp.send(a, "g.running", nil, stream.F("goid", goid), stream.F("inheritTime", false))
}

// gWaiting says where in the learner's code it blocked, if anywhere (stack).
func (mp *mapper) gWaiting(a at, goid int64, reason string, stack *stackInfo) {
	mp.send(a, "g.waiting", stack, stream.F("goid", goid), stream.F("reason", reason))
}

func (mp *mapper) gSyscall(a at, goid int64) { mp.send(a, "g.syscall", nil, stream.F("goid", goid)) }
func (mp *mapper) gSyscallExit(a at, goid int64) {
	mp.send(a, "g.syscall.exit", nil, stream.F("goid", goid))
}
func (mp *mapper) gExit(a at, goid int64) { mp.send(a, "g.exit", nil, stream.F("goid", goid)) }

func (mp *mapper) steal(a at, thief, victim, goid int64) {
	mp.send(a, "steal", nil, stream.F("thief", thief), stream.F("victim", victim), stream.F("goids", []int64{goid}))
}

// pState: the event's p (a.p) is the P whose state it is.
func (mp *mapper) pState(a at, state string, pm int64) {
	mp.pstate[a.p] = state
	mp.send(a, "p.state", nil, stream.F("state", state), stream.F("pm", pm))
}

func (mp *mapper) gcPhase(phase string) {
	mp.gc = phase
	mp.send(mp.here(), "gc", nil, stream.F("phase", phase))
}

func (mp *mapper) worldStop(begin bool, reason string) {
	mp.send(mp.here(), "stw", nil, stream.F("begin", begin), stream.F("reason", reason))
}

// heapDump: the program stopped the world for a heap dump of the GC lens;
// the dump's events go here, in the dumper's place (a goroutine not shown).
func (mp *mapper) heapDump() {
	a := mp.here()
	a.g = 0
	for _, e := range mp.dumps.next(dumpPatience) {
		if e.kind == "heap.limit" {
			if mp.limitSaid {
				continue
			}
			mp.limitSaid = true
		}
		mp.send(a, e.kind, nil, e.fields...)
	}
}

// heapLimit: the program's heap grew past the lens's bound; it dumps no more.
func (mp *mapper) heapLimit() {
	if !mp.limitSaid {
		mp.limitSaid = true
		mp.send(mp.here(), "heap.limit", nil, stream.F("objects", int64(mp.maxObjects)))
	}
}

// dumpPatience is how long the mapper waits at a dump's stop of the world
// for the dump to be read whole (it was written before the trace of that
// moment was).
const dumpPatience = 10 * time.Second

// metric: the tracer's sample of the heap's live bytes or its goal, said
// as heap.size when the goal changes or 100 µs after the last one.
func (mp *mapper) metric(m xtrace.Metric) {
	switch m.Name {
	case "/memory/classes/heap/objects:bytes":
		mp.heapLive = m.Value.Uint64()
	case "/gc/heap/goal:bytes":
		if g := m.Value.Uint64(); g != mp.heapGoal {
			mp.heapGoal = g
			mp.sizeAt = 0
		}
	default:
		return
	}
	if mp.sizeAt != 0 && mp.t-mp.sizeAt < heapSizeEvery {
		return
	}
	mp.sizeAt = mp.t
	mp.send(mp.here(), "heap.size", nil, stream.F("live", int64(mp.heapLive)), stream.F("goal", int64(mp.heapGoal)))
}

// heapSizeEvery bounds how often heap.size is said (ns of the trace's time).
const heapSizeEvery = 100_000
