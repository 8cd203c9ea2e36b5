package probe

import (
	"fmt"
	"slices"

	"go-slowmo.dev/bpf/internal/target"
)

// normalizer turns raw records into protocol events: it numbers them, makes
// time relative to the start and monotonic (records from different CPUs can
// arrive a little out of order), names functions, lines and wait reasons from
// the target's own tables, and infers why a goroutine became runnable from
// what it was doing before (runqput does not say).
type normalizer struct {
	bin         *target.Binary
	syms        *target.Symbols
	waitReasons []string
	stwReasons  []string
	start       uint64
	seq         uint64
	lastT       int64
	last        map[int64]string      // goid -> what it last did
	funcs       map[[2]uint64]string  // (start pc, go line) -> function name (naming a wrapper reads DWARF: once)
	goids       map[uint64]int64      // g pointer -> goid, from creation records (a g is reused only through newproc1)
	snapshots   snapshotPolicy        // which runq and globalq snapshots are worth sending
	injecting   map[uint32]*injection // thread -> the injectglist it is in
	mstates     map[int64]string      // M id -> the last m.state sent
	pstates     map[int64]string      // P id -> the last p.state sent
	holds       map[uint32]*heldPut   // thread -> its put held back (holds.go)
	holdOrder   []uint32              // the threads of holds, oldest first
	emit        func(*Event)
	// a waker's stack -> its user frame (wakerSite)
	wakers map[[wakerDepth]uint64]userSite
}

// injection is an injectglist call on its way: the goroutines it makes
// runnable, and the snapshots taken when it returned (held back so that the
// g.runnable events, which need them to say where each one went, come first).
type injection struct {
	goids   []int64
	reason  string
	held    []record
	m, p, g int64          // the injecting M's context
	settled map[int64]bool // said already: another M got to them first (settle)
}

// netpollers are the functions that hand injectglist the goroutines netpoll woke.
var netpollers = map[string]bool{
	"runtime.findRunnable": true, "runtime.sysmon": true, "runtime.startTheWorldWithSema": true, "runtime.pollWork": true,
}

// goidsOf maps g pointers to goids, leaving out any it does not know.
func (n *normalizer) goidsOf(ptrs []uint64) []int64 {
	out := make([]int64, 0, len(ptrs))
	for _, p := range ptrs {
		if id := n.goids[p]; id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func (n *normalizer) event(ts uint64, kind string, m, p, g int64, fields ...Field) {
	t := int64(ts) - int64(n.start)
	if t < n.lastT {
		t = n.lastT
	}
	n.lastT = t
	e := &Event{Seq: n.seq, T: t, Kind: kind, M: m, P: p, G: g, Fields: fields}
	n.emit(e)
	n.seq++
	n.snapshots.sent(e)
}

func name(table []string, i uint64, what string) string {
	if i < uint64(len(table)) && table[i] != "" {
		return table[i]
	}
	return fmt.Sprintf("%s %d", what, i)
}

func (n *normalizer) record(r record) {
	if n.held(r) {
		return
	}
	ev := func(kind string, fields ...Field) { n.event(r.ts, kind, r.m, r.p, r.g, fields...) }
	if inj := n.injecting[r.tid]; inj != nil && (r.kind == kRunq || r.kind == kGlobalq) {
		inj.held = append(inj.held, r)
		return
	}
	if len(n.injecting) > 0 {
		switch r.kind {
		case kRunqput, kExecute, kGosched, kExit, kPark:
			n.settle(r, int64(r.a[0]))
		case kSteal, kOverflow:
			for _, id := range r.goids {
				n.settle(r, int64(id))
			}
		case kBatch:
			for _, id := range n.goidsOf(r.goids) {
				n.settle(r, id)
			}
		}
	}
	switch r.kind {
	case kInject:
		reason := "ready"
		if netpollers[n.syms.Func(r.a[1])] {
			reason = "netpoll"
		}
		n.injecting[r.tid] = &injection{goids: n.goidsOf(r.goids), reason: reason, m: r.m, p: r.p, g: r.g, settled: map[int64]bool{}}
	case kInjectEnd:
		inj := n.injecting[r.tid]
		if inj == nil {
			return
		}
		delete(n.injecting, r.tid)
		qp, local := int64(-1), map[int64]bool{}
		for _, h := range inj.held {
			if h.kind == kRunq {
				qp = int64(h.a[0])
				for _, id := range n.goidsOf(h.goids) {
					local[id] = true
				}
			}
		}
		for _, id := range inj.goids {
			if inj.settled[id] {
				continue
			}
			n.last[id] = "runnable"
			if local[id] {
				ev("g.runnable", wokenBy(inj.reason, inj.g, id, F("goid", id), F("queue", "local"), F("qp", qp), F("reason", inj.reason))...)
			} else {
				ev("g.runnable", wokenBy(inj.reason, inj.g, id, F("goid", id), F("queue", "global"), F("qp", int64(-1)), F("reason", inj.reason))...)
			}
		}
		for _, h := range inj.held {
			n.record(h)
		}
	case kCreate:
		goid, gopc, startpc := int64(r.a[0]), r.a[2], r.a[3]
		if goid <= 0 {
			return
		}
		file, line, _ := n.syms.Line(gopc - 1)
		n.last[goid] = "create"
		if r.a[4] != 0 {
			n.goids[r.a[4]] = goid
		}
		ev("g.create", F("goid", goid), F("parent", int64(r.a[1])), F("fn", n.startFunc(startpc, line)),
			F("file", file), F("line", line))
	case kRunqput:
		n.put(r)
	case kExecute:
		goid := int64(r.a[0])
		if goid <= 0 {
			return
		}
		n.last[goid] = "running"
		ev("g.running", F("goid", goid), F("inheritTime", r.a[1] != 0))
	case kPark:
		goid := int64(r.a[0])
		if goid <= 0 {
			return
		}
		n.last[goid] = "waiting"
		fields := []Field{F("goid", goid), F("reason", name(n.waitReasons, r.a[1], "wait reason"))}
		if file, line, ok := n.syms.UserFrame(r.stack); ok {
			fields = append(fields, F("file", file), F("line", line))
		}
		ev("g.waiting", fields...)
	case kExit:
		goid := int64(r.a[0])
		if goid <= 0 {
			return
		}
		// Forgotten, not marked dead: goids are never reused, and a program
		// that starts goroutines without end would grow the map without end.
		delete(n.last, goid)
		ev("g.exit", F("goid", goid))
	case kSteal:
		if len(r.goids) == 0 {
			return
		}
		goids := make([]int64, 0, len(r.goids))
		for _, id := range r.goids {
			if id > 0 {
				goids = append(goids, int64(id))
			}
		}
		ev("steal", F("thief", int64(r.a[0])), F("victim", int64(r.a[1])), F("goids", goids))
		n.stolenFrom(int64(r.a[1]))
	case kOverflow:
		n.overflow(r, nil)
	case kBatch:
		// Go 1.25+: findRunnable moved these from the global queue to the
		// tail of P's queue (runqputbatch; before 1.25, runqput said so).
		qp := int64(r.a[0])
		for _, id := range n.goidsOf(r.goids) {
			n.last[id] = "runnable"
			ev("g.runnable", F("goid", id), F("queue", "local"), F("qp", qp), F("reason", "other"))
		}
	case kGlobput:
		// globrunqput, inlined where it is called: so far only exitsyscall0's
		// (a[1] = 1), after the g.syscall.exit without a P said above.
		goid := int64(r.a[0])
		if goid <= 0 {
			return
		}
		n.last[goid] = "runnable"
		ev("g.runnable", F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", "syscall"))
	case kGosched:
		goid := int64(r.a[0])
		if goid <= 0 {
			return
		}
		reason := "yield"
		if r.a[1] != 0 {
			reason = "preempt"
		}
		n.last[goid] = "runnable"
		ev("g.runnable", F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", reason))
	case kSyscall:
		if r.g <= 0 {
			return
		}
		n.last[r.g] = "syscall"
		ev("g.syscall", F("goid", r.g))
		if n.bin.Minor < 26 && r.p >= 0 {
			// Before 1.26 the P stays with the M in the _Psyscall state, for
			// the M to take back on return unless sysmon retakes it (handoffp).
			n.pstate(r, r.p, "syscall", r.m)
		}
	case kSysexit:
		// Leaving without a P (a[0] = 1) is said when it happens; exitsyscall
		// itself returns only once the goroutine runs again, which g.running said.
		if r.g <= 0 || n.last[r.g] != "syscall" {
			return
		}
		if r.a[0] == 1 {
			n.last[r.g] = "syscall.nop"
			n.event(r.ts, "g.syscall.exit", r.m, -1, 0, F("goid", r.g))
			return
		}
		n.last[r.g] = "running"
		ev("g.syscall.exit", F("goid", r.g))
		if r.p >= 0 && n.pstates[r.p] != "running" {
			n.pstate(r, r.p, "running", r.m) // took its P back (before 1.26, out of _Psyscall)
		}
	case kPState:
		// The subject of p.state is the event's p (DESIGN.md); the M taking it is the context M.
		pid := int64(r.a[0])
		if pid < 0 {
			return
		}
		switch r.a[1] {
		case 1:
			n.pstate(r, pid, "running", r.m)
		case 0: // releasep, then pidleput: one event
			if n.pstates[pid] != "idle" {
				n.pstate(r, pid, "idle", -1)
			}
		case 2: // handoffp: news only when the P was with an M in a system call (releasep said the rest)
			if n.pstates[pid] != "idle" {
				n.pstate(r, pid, "idle", -1)
			}
		}
	case kRunq:
		// A snapshot of one P's local queue after a change; not sent when it
		// is unsettled (a[3]: read while another M was stealing from that P,
		// so it may show the steal before the steal event, or miss one
		// already reported), nor when the events sent already say as much
		// (snapshotPolicy).
		pid := int64(r.a[0])
		if pid < 0 || r.a[3] != 0 {
			return
		}
		runnext := n.goids[r.a[1]]
		goids := n.goidsOf(r.goids)
		length := len(goids)
		if runnext != 0 {
			length++
		}
		if !n.snapshots.worth(n.snapshots.model().sameLocal(pid, runnext, goids), pid, length) {
			return
		}
		ev("runq", F("qp", pid), F("runnext", runnext), F("goids", goids))
	case kGlobalq:
		if r.a[2] == 0 { // the list moved while the probe walked it
			return
		}
		goids := n.goidsOf(r.goids)
		more := int64(r.a[0]) - int64(len(r.goids))
		if more < 0 {
			more = 0
		}
		model := n.snapshots.model()
		known, same := model.more == 0, model.sameGlobal(goids, more)
		// Unless every snapshot is asked for, one that leaves some out and
		// agrees with the model is not sent (a reader would have to forget
		// the rest, which the model knows), nor one the model is merely
		// behind (takes from the queue not said yet).
		if !n.snapshots.all && (more > 0 && known && same || model.behindGlobal(goids, more)) {
			return
		}
		if !n.snapshots.worthGlobal(known, same, len(goids)+int(more)) {
			return
		}
		if more > 0 {
			ev("globalq", F("goids", goids), F("more", more))
		} else {
			ev("globalq", F("goids", goids))
		}
	case kLine:
		if r.g <= 0 {
			return
		}
		if file, line, _ := n.syms.Line(r.a[0]); line > 0 {
			ev("line", F("goid", r.g), F("file", file), F("line", line))
		}
	case kMIdle:
		if r.m >= 0 {
			n.mstates[r.m] = "idle"
			n.event(r.ts, "m.state", r.m, -1, 0, F("state", "idle"))
		}
	case kMState:
		states := [...]string{"spinning", "running", "new"}
		if r.m < 0 || r.a[0] >= uint64(len(states)) {
			return
		}
		state := states[r.a[0]]
		if n.mstates[r.m] == state {
			return
		}
		n.mstates[r.m] = state
		ev("m.state", F("state", state))
	case kGC:
		phases := [...]string{"sweepterm", "mark", "marktermination", "off"}
		if r.a[0] < uint64(len(phases)) {
			ev("gc", F("phase", phases[r.a[0]]))
		}
	case kSTW:
		if r.a[0] != 0 {
			ev("stw", F("begin", true), F("reason", name(n.stwReasons, r.a[1], "stop-the-world")))
		} else {
			ev("stw", F("begin", false), F("reason", ""))
		}
	}
}

// put says where runqput put a goroutine, and why it was made runnable
// (runqput does not say: from what it was doing before). A put that would
// overflow the reader's model waits (holds.go).
func (n *normalizer) put(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	queue := "local"
	if r.a[2] != 0 {
		queue = "runnext"
	}
	reason := "other"
	switch n.last[goid] {
	case "create":
		reason = "create"
	case "waiting":
		reason = "ready"
	case "syscall", "syscall.nop":
		reason = "syscall"
	}
	n.last[goid] = "runnable"
	fields := []Field{F("goid", goid), F("queue", queue), F("qp", int64(r.a[1])), F("reason", reason)}
	// Put by ready (a[3]): r.g woke it, and r.stack is where r.g was.
	if r.a[3] != 0 && waker(reason, r.g, goid) {
		fields = append(fields, F("by", r.g))
		if at := n.wakerSite(r.stack); at.ok {
			fields = append(fields, F("file", at.file), F("line", at.line))
		}
	}
	if n.holdPut(r, goid, fields) {
		return
	}
	n.event(r.ts, "g.runnable", r.m, r.p, r.g, fields...)
}

// overflow says runqputslow's move, once it happened: the older half of
// a P's queue, then the goroutine being put, to the global queue. h is the
// put that led to it when it was held back (holds.go): said with it.
func (n *normalizer) overflow(r record, h *heldPut) {
	last := len(r.goids) - 1
	for i, id := range r.goids {
		if id <= 0 {
			continue
		}
		goid := int64(id)
		n.last[goid] = "runnable"
		if h != nil && !h.next && i == last && goid == h.goid {
			// The put's own goroutine, as it was put, but to the global queue.
			n.event(r.ts, "g.runnable", h.put.m, h.put.p, h.put.g, toGlobal(h.fields)...)
			continue
		}
		n.event(r.ts, "g.runnable", r.m, r.p, r.g, F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", "overflow"))
	}
	// A put to runnext kicked the old one into the overflow: the put itself comes after.
	if h != nil && (h.next || last < 0 || int64(r.goids[last]) != h.goid) {
		n.event(r.ts, "g.runnable", h.put.m, h.put.p, h.put.g, h.fields...)
	}
}

// toGlobal is a put's fields with the global queue for its place.
func toGlobal(fields []Field) []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		switch f.Name {
		case "queue":
			f = F("queue", "global")
		case "qp":
			f = F("qp", int64(-1))
		}
		out[i] = f
	}
	return out
}

// settle is for a record of another M about goroutine id while an
// injectglist that makes it runnable has not returned (its RET says where
// each one went): it was put on the global queue and taken from there (or
// stolen from the injecting P), so it became runnable first. Said now, as
// put on the global queue, in the injecting M's context.
func (n *normalizer) settle(r record, id int64) {
	for tid, inj := range n.injecting {
		if tid == r.tid || inj.settled[id] || !slices.Contains(inj.goids, id) {
			continue
		}
		inj.settled[id] = true
		n.last[id] = "runnable"
		n.event(r.ts, "g.runnable", inj.m, inj.p, inj.g,
			wokenBy(inj.reason, inj.g, id, F("goid", id), F("queue", "global"), F("qp", int64(-1)), F("reason", inj.reason))...)
	}
}

// waker says whether goroutine g, in whose context goroutine id was made
// runnable, woke it: a wake-up (reason ready) by a goroutine other than id.
// Not g0 (the scheduler's timers, the poller), nor a goroutine that merely
// runs while the runtime puts id back for another reason.
func waker(reason string, g, id int64) bool {
	return reason == "ready" && g > 0 && g != id
}

// userSite is where in user code a stack was, if it was.
type userSite struct {
	file string
	line int
	ok   bool
}

// wakerSite is the user frame of a waker's stack, remembered per stack: a
// program wakes goroutines from a few places, again and again, and finding
// one costs a line table lookup per frame, too slow for the reader to keep
// up with a ping-pong.
func (n *normalizer) wakerSite(stack []uint64) userSite {
	var key [wakerDepth]uint64
	copy(key[:], stack)
	if at, ok := n.wakers[key]; ok {
		return at
	}
	var at userSite
	at.file, at.line, at.ok = n.syms.UserFrame(stack)
	if n.wakers == nil {
		n.wakers = map[[wakerDepth]uint64]userSite{}
	}
	n.wakers[key] = at
	return at
}

// wokenBy adds `by` to a g.runnable of goroutine id made in goroutine g's context, when g woke it.
func wokenBy(reason string, g, id int64, fields ...Field) []Field {
	if waker(reason, g, id) {
		return append(fields, F("by", g))
	}
	return fields
}

// pstate sends a p.state for P pid, in the context of record r, and remembers it.
func (n *normalizer) pstate(r record, pid int64, state string, pm int64) {
	n.pstates[pid] = state
	n.event(r.ts, "p.state", r.m, pid, r.g, F("state", state), F("pm", pm))
}

func (n *normalizer) startFunc(pc uint64, goLine int) string {
	key := [2]uint64{pc, uint64(goLine)}
	if name, ok := n.funcs[key]; ok {
		return name
	}
	name := n.bin.StartFunc(n.syms, pc, goLine)
	n.funcs[key] = name
	return name
}
