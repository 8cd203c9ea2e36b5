package probe

import "slices"

// Goroutines made runnable in a batch by injectglist (woken by netpoll, or
// by the GC): its entry lists them, its return's snapshots say where they
// went.

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

// injected keeps the bookkeeping of injectglist calls on their way for
// record r, and says whether it took r: a snapshot of the injecting thread
// waits for its return. A record of another thread about a goroutine an
// injection has not placed yet settles it first.
func (n *normalizer) injected(r record) bool {
	if inj := n.injecting[r.tid]; inj != nil && (r.kind == kRunq || r.kind == kGlobalq) {
		inj.held = append(inj.held, r)
		return true
	}
	if len(n.injecting) == 0 {
		return false
	}
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
	return false
}

// injectStart: injectglist's entry, with the goroutines it makes runnable;
// who called it says why.
func (n *normalizer) injectStart(r record) {
	reason := "ready"
	if netpollers[n.syms.Func(r.a[1])] {
		reason = "netpoll"
	}
	n.injecting[r.tid] = &injection{goids: n.goidsOf(r.goids), reason: reason, m: r.m, p: r.p, g: r.g, settled: map[int64]bool{}}
}

// injectEnd: injectglist returned. The goroutines its P's snapshot shows
// went to that P's queue, the rest to the global queue; then the snapshots.
func (n *normalizer) injectEnd(r record) {
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
			n.ev(r, "g.runnable", wokenBy(inj.reason, inj.g, id, F("goid", id), F("queue", "local"), F("qp", qp), F("reason", inj.reason))...)
		} else {
			n.ev(r, "g.runnable", wokenBy(inj.reason, inj.g, id, F("goid", id), F("queue", "global"), F("qp", int64(-1)), F("reason", inj.reason))...)
		}
	}
	for _, h := range inj.held {
		n.record(h)
	}
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
