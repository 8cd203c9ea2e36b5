package probe

import "slices"

// runQueues is what a reader of the stream believes the run queues hold:
// each P's runnext and local queue and the global queue, kept from the events
// sent so far by the rules of the protocol's reducer
// (kernel-bridge/src/protocol/reducer.ts), step for step. A snapshot that
// equals it tells the reader nothing, so the normalizer need not send it.
//
// Only the queues are kept, and of each goroutine only where it is queued:
// the reducer's other state (who runs, who waits) never moves a goroutine
// between queues. A goroutine with a place is runnable there; one without
// is in no queue (running, waiting, dead, or runnable on its way to an M).
type runQueues struct {
	procs  map[int64]*localQueue
	global []int64
	// more is the reducer's globalqMore: how many the last globalq snapshot
	// left out. The reducer only ever sets it from a snapshot.
	more   int64
	places map[int64]place // goid -> where it is queued
}

type localQueue struct {
	runnext int64
	runq    []int64
}

type queueName uint8

const (
	inRunnext queueName = iota + 1
	inLocal
	inGlobal
)

type place struct {
	queue queueName
	qp    int64
}

// localCapacity is the runtime's local queue length (and the reducer's).
const localCapacity = 256

func newRunQueues() *runQueues {
	return &runQueues{procs: map[int64]*localQueue{}, places: map[int64]place{}}
}

func (q *runQueues) proc(id int64) *localQueue {
	p := q.procs[id]
	if p == nil {
		p = &localQueue{}
		q.procs[id] = p
	}
	return p
}

// without removes the first goid from list, in place.
func without(list []int64, goid int64) []int64 {
	if i := slices.Index(list, goid); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return list
}

// detach takes goid out of the queue it is in; its place is the caller's to set.
func (q *runQueues) detach(goid int64) {
	pl, ok := q.places[goid]
	if !ok {
		return
	}
	switch {
	case pl.queue == inGlobal:
		q.global = without(q.global, goid)
	case pl.qp < 0:
	case pl.queue == inRunnext:
		if p := q.proc(pl.qp); p.runnext == goid {
			p.runnext = 0
		}
	case pl.queue == inLocal:
		p := q.proc(pl.qp)
		p.runq = without(p.runq, goid)
	}
}

// leave: goid is in no queue any more (it runs, waits, or is gone).
func (q *runQueues) leave(goid int64) {
	q.detach(goid)
	delete(q.places, goid)
}

// pushLocal is runqput without next: the tail of P's queue, or when it is
// full runqputslow: its older half and goid to the global queue's tail.
func (q *runQueues) pushLocal(pid, goid int64) {
	p := q.proc(pid)
	if len(p.runq) < localCapacity {
		p.runq = append(p.runq, goid)
		q.places[goid] = place{inLocal, pid}
		return
	}
	half := localCapacity / 2
	moved := p.runq[:half]
	q.global = append(append(q.global, moved...), goid)
	for _, id := range moved {
		q.places[id] = place{inGlobal, -1}
	}
	q.places[goid] = place{inGlobal, -1}
	p.runq = slices.Clone(p.runq[half:])
}

func (q *runQueues) put(goid int64, queue string, qp int64) {
	q.detach(goid)
	switch {
	case queue == "global" || qp < 0:
		q.global = append(q.global, goid)
		q.places[goid] = place{inGlobal, -1}
	case queue == "local":
		q.pushLocal(qp, goid)
	default: // runnext: the old one goes to the tail
		p := q.proc(qp)
		kicked := p.runnext
		p.runnext = goid
		q.places[goid] = place{inRunnext, qp}
		if kicked != 0 && kicked != goid {
			q.pushLocal(qp, kicked)
		}
	}
}

// steal: what the thief took leaves the victim's queue, all but the last
// join the thief's, and the last is the thief's to run.
func (q *runQueues) steal(thief, victim int64, goids []int64) {
	if len(goids) == 0 {
		return
	}
	var gone map[int64]bool
	for _, id := range goids {
		if pl, ok := q.places[id]; ok && pl.qp == victim && (pl.queue == inLocal || pl.queue == inRunnext) {
			if gone == nil {
				gone = map[int64]bool{}
			}
			gone[id] = true
		} else {
			q.detach(id)
		}
	}
	if gone != nil {
		v := q.proc(victim)
		if gone[v.runnext] {
			v.runnext = 0
		}
		v.runq = slices.DeleteFunc(v.runq, func(id int64) bool { return gone[id] })
	}
	last := len(goids) - 1
	t := q.proc(thief)
	if len(t.runq)+last <= localCapacity {
		t.runq = append(t.runq, goids[:last]...)
		for _, id := range goids[:last] {
			q.places[id] = place{inLocal, thief}
		}
	} else {
		for _, id := range goids[:last] {
			q.pushLocal(thief, id)
		}
	}
	delete(q.places, goids[last])
}

// setLocal is a runq snapshot: it replaces what was modelled for P qp.
func (q *runQueues) setLocal(qp, runnext int64, goids []int64) {
	keep := make(map[int64]bool, len(goids)+1)
	for _, id := range goids {
		keep[id] = true
	}
	if runnext != 0 {
		keep[runnext] = true
	}
	old := q.proc(qp)
	forget := func(id int64) {
		if pl, ok := q.places[id]; ok && !keep[id] && pl.qp == qp && pl.queue != inGlobal {
			delete(q.places, id)
		}
	}
	if old.runnext != 0 {
		forget(old.runnext)
	}
	for _, id := range old.runq {
		forget(id)
	}
	for id := range keep {
		if pl, ok := q.places[id]; ok && (pl.qp != qp || pl.queue == inGlobal) {
			q.detach(id)
		}
	}
	p := q.proc(qp)
	p.runnext, p.runq = runnext, slices.Clone(goids)
	if runnext != 0 {
		q.places[runnext] = place{inRunnext, qp}
	}
	for _, id := range goids {
		q.places[id] = place{inLocal, qp}
	}
}

// setGlobal is a globalq snapshot: it replaces what was modelled.
func (q *runQueues) setGlobal(goids []int64, more int64) {
	keep := make(map[int64]bool, len(goids))
	for _, id := range goids {
		keep[id] = true
	}
	for _, id := range q.global {
		if pl, ok := q.places[id]; ok && !keep[id] && pl.queue == inGlobal {
			delete(q.places, id)
		}
	}
	q.global = q.global[:0]
	for id := range keep {
		if pl, ok := q.places[id]; ok && pl.queue != inGlobal {
			q.detach(id)
		}
	}
	q.global = append(q.global, goids...)
	q.more = more
	for _, id := range goids {
		q.places[id] = place{inGlobal, -1}
	}
}

// sameLocal says whether P qp is modelled as holding runnext and goids.
func (q *runQueues) sameLocal(qp, runnext int64, goids []int64) bool {
	p := q.procs[qp]
	if p == nil {
		return runnext == 0 && len(goids) == 0
	}
	return p.runnext == runnext && slices.Equal(p.runq, goids)
}

// sameGlobal says whether a globalq snapshot (its first goids, and more
// left out) is what the model holds. After a snapshot that left some out,
// the model no longer knows the queue's order past them: never the same.
func (q *runQueues) sameGlobal(goids []int64, more int64) bool {
	if q.more != 0 {
		return false
	}
	n := len(goids)
	return len(q.global) == n+int(more) && slices.Equal(q.global[:n], goids)
}

// behindGlobal says whether a globalq snapshot (its first goids, and more
// left out) is the model's global queue without its first few: what the
// runtime shows while an M that took them from the queue, under sched.lock,
// has yet to say so (its execute, its batch to a P's queue, a little later,
// or much later if the kernel puts its thread aside meanwhile). The events
// on their way will say it: the model is behind, not wrong.
func (q *runQueues) behindGlobal(goids []int64, more int64) bool {
	if q.more != 0 {
		return false
	}
	k := len(q.global)
	if len(goids) > 0 {
		k = slices.Index(q.global, goids[0])
	}
	if k < 1 || len(q.global)-k != len(goids)+int(more) {
		return false
	}
	return slices.Equal(q.global[k:k+len(goids)], goids)
}

// apply keeps the model up with one event sent.
func (q *runQueues) apply(e *Event) {
	switch e.Kind {
	case "g.runnable":
		q.put(intField(e, "goid"), stringField(e, "queue"), intField(e, "qp"))
	case "g.create":
		// The reducer makes a new goroutine runnable in no queue, without
		// looking for it in one (goids are never reused).
		delete(q.places, intField(e, "goid"))
	case "g.running", "g.waiting", "g.syscall", "g.syscall.exit", "g.exit":
		q.leave(intField(e, "goid"))
	case "steal":
		q.steal(intField(e, "thief"), intField(e, "victim"), goidsField(e))
	case "runq":
		q.setLocal(intField(e, "qp"), intField(e, "runnext"), goidsField(e))
	case "globalq":
		q.setGlobal(goidsField(e), intField(e, "more"))
	}
}

func field(e *Event, name string) any {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

func intField(e *Event, name string) int64 {
	switch v := field(e, name).(type) {
	case int64:
		return v
	case int:
		return int64(v)
	}
	return 0
}

func stringField(e *Event, name string) string {
	s, _ := field(e, name).(string)
	return s
}

func goidsField(e *Event) []int64 {
	ids, _ := field(e, "goids").([]int64)
	return ids
}
