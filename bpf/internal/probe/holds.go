package probe

import "slices"

// Holding a put back. The reader's reducer, like the runtime, sends the
// older half of a full local queue and the goroutine being put to the
// global queue (runqputslow). The probes say a put at runqput's entry,
// before the runtime looks at the queue, and what it finds there can differ
// from what the events so far say:
//
//   - another M has just stolen from the queue and not said so yet (a steal
//     is recorded after its CAS, which may come after this record), so there
//     is room after all, or runqputslow's CAS fails and the put goes to the
//     room the steal made;
//   - the queue is full and the overflow happens, but only once runqputslow
//     has won its CAS and taken sched.lock, a while after the put (a global
//     queue snapshot meanwhile does not show it yet).
//
// So a put that would overflow the model waits: for the overflow
// (runqputslow_done, said under sched.lock by the same thread), which is then
// said with it, or, when the thread goes on without one, for the steal that
// made room, which is said first. The thread's later records wait behind it,
// in order. A hold that nothing resolves (the model was wrong already) is let
// go after holdLimit other records, and at the end of the run (flush).
type heldPut struct {
	put      record  // the runqput record
	goid, qp int64   // the goroutine put, and on which P
	next     bool    // put to runnext
	fields   []Field // its g.runnable's fields
	behind   []record
	age      int // records taken since, of any thread
}

const holdLimit = 4096

// holdPut holds back put record r (goroutine goid, its event's fields) if the
// model's queue of its P is full; it says whether it did.
func (n *normalizer) holdPut(r record, goid int64, fields []Field) bool {
	qp, next := int64(r.a[1]), r.a[2] != 0
	if qp < 0 {
		return false
	}
	p := n.snapshots.model().procs[qp]
	if p == nil || len(p.runq) < localCapacity || next && (p.runnext == 0 || p.runnext == goid) {
		return false
	}
	if n.holds == nil {
		n.holds = map[uint32]*heldPut{}
	}
	n.holds[r.tid] = &heldPut{put: r, goid: goid, qp: qp, next: next, fields: fields}
	n.holdOrder = append(n.holdOrder, r.tid)
	return true
}

// held takes record r if its thread has a put held back (or resolves the
// hold with it), and says whether it did. Before another thread's record
// that concerns a held goroutine, that hold is let go: that record came after.
func (n *normalizer) held(r record) bool {
	if len(n.holds) == 0 {
		return false
	}
	if h := n.holds[r.tid]; h != nil {
		if r.kind == kOverflow && int64(r.a[0]) == h.qp {
			n.release(r.tid, &r)
			return true
		}
		h.behind = append(h.behind, r)
		return true
	}
	for _, tid := range slices.Clone(n.holdOrder) {
		h := n.holds[tid]
		if h == nil {
			continue
		}
		if h.age++; h.age > holdLimit || n.concerns(r, h.goid) {
			n.release(tid, nil)
		}
	}
	return false
}

// concerns says whether record r says something of goroutine goid.
func (n *normalizer) concerns(r record, goid int64) bool {
	switch r.kind {
	case kRunqput, kExecute, kGosched, kExit, kPark, kGlobput:
		return int64(r.a[0]) == goid
	case kSteal, kOverflow:
		return slices.Contains(r.goids, uint64(goid))
	}
	return false
}

// stolenFrom lets go the puts held on P victim: the steal that made room
// for them has been said.
func (n *normalizer) stolenFrom(victim int64) {
	for _, tid := range slices.Clone(n.holdOrder) {
		if h := n.holds[tid]; h != nil && h.qp == victim {
			n.release(tid, nil)
		}
	}
}

// release says thread tid's held put, with the overflow it led to if
// given, then the records held behind it.
func (n *normalizer) release(tid uint32, overflow *record) {
	h := n.holds[tid]
	delete(n.holds, tid)
	n.holdOrder = slices.DeleteFunc(n.holdOrder, func(t uint32) bool { return t == tid })
	if overflow != nil {
		n.overflow(*overflow, h)
	} else {
		n.event(h.put.ts, "g.runnable", h.put.m, h.put.p, h.put.g, h.fields...)
	}
	for _, r := range h.behind {
		n.record(r)
	}
}

// flush lets every held put go, in the order they were held: the run is over.
func (n *normalizer) flush() {
	for len(n.holdOrder) > 0 {
		n.release(n.holdOrder[0], nil)
	}
}
