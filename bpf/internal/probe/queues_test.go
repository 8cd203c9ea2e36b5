package probe

import (
	"slices"
	"testing"
)

func runnable(goid int64, queue string, qp int64) *Event {
	return &Event{Kind: "g.runnable", Fields: []Field{F("goid", goid), F("queue", queue), F("qp", qp)}}
}

func span(from, to int64) []int64 {
	var out []int64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// The model keeps the queues by the reducer's rules (reducer.ts), step by step.
func TestRunQueuesFollowTheReducersRules(t *testing.T) {
	q := newRunQueues()
	expect := func(step string, pid, runnext int64, runq []int64, global []int64) {
		t.Helper()
		if !q.sameLocal(pid, runnext, runq) {
			p := q.proc(pid)
			t.Fatalf("%s: P%d holds runnext %d, %v; want runnext %d, %v", step, pid, p.runnext, p.runq, runnext, runq)
		}
		if !slices.Equal(q.global, global) {
			t.Fatalf("%s: global queue %v, want %v", step, q.global, global)
		}
	}
	q.apply(runnable(1, "runnext", 0))
	q.apply(runnable(2, "runnext", 0))
	expect("a new runnext kicks the old one to the tail", 0, 2, []int64{1}, nil)
	q.apply(runnable(3, "local", 0))
	q.apply(runnable(1, "runnext", 0))
	expect("a goroutine put again leaves its old place", 0, 1, []int64{3, 2}, nil)

	for id := int64(100); id < 356; id++ {
		q.apply(runnable(id, "local", 1))
	}
	q.apply(runnable(356, "local", 1))
	expect("a put to a full queue sends its older half and the new one to the global queue",
		1, 0, span(228, 355), append(span(100, 227), 356))

	q.apply(&Event{Kind: "steal", Fields: []Field{F("thief", int64(0)), F("victim", int64(1)), F("goids", span(228, 291))}})
	expect("the thief queues all it stole but the last", 0, 1, append([]int64{3, 2}, span(228, 290)...), append(span(100, 227), 356))
	expect("the victim loses them", 1, 0, span(292, 355), append(span(100, 227), 356))

	q.apply(&Event{Kind: "g.running", Fields: []Field{F("goid", int64(2))}})
	q.apply(&Event{Kind: "g.waiting", Fields: []Field{F("goid", int64(100))}})
	q.apply(runnable(7, "global", -1))
	expect("running and waiting goroutines leave their queues", 0, 1, append([]int64{3}, span(228, 290)...), append(span(101, 227), 356, 7))

	q.apply(&Event{Kind: "runq", Fields: []Field{F("qp", int64(0)), F("runnext", int64(0)), F("goids", []int64{300, 3})}})
	expect("a snapshot is authoritative", 0, 0, []int64{300, 3}, append(span(101, 227), 356, 7))
	expect("and takes its goroutines from where they were", 1, 0, append(span(292, 299), span(301, 355)...), append(span(101, 227), 356, 7))
	q.apply(runnable(1, "runnext", 1))
	expect("a goroutine a snapshot no longer shows is in no queue", 0, 0, []int64{300, 3}, append(span(101, 227), 356, 7))
	expect("and goes where it is put", 1, 1, append(span(292, 299), span(301, 355)...), append(span(101, 227), 356, 7))

	q.apply(&Event{Kind: "globalq", Fields: []Field{F("goids", []int64{7, 3})}})
	expect("a global snapshot too", 0, 0, []int64{300}, []int64{7, 3})
	if !q.sameGlobal([]int64{7}, 1) || q.sameGlobal([]int64{7}, 0) || q.sameGlobal([]int64{3, 7}, 0) {
		t.Fatalf("sameGlobal compares the head shown and how many more")
	}
	q.apply(&Event{Kind: "globalq", Fields: []Field{F("goids", []int64{7}), F("more", int64(5))}})
	if q.sameGlobal([]int64{7}, 5) {
		t.Fatalf("after a global snapshot that left some out, the model cannot predict the next")
	}
}

// The normalizer sends a snapshot when it is news to the model, and otherwise only as a sample.
func TestSnapshotsSentWhenNews(t *testing.T) {
	var sent []*Event
	n := &normalizer{
		last: map[int64]string{}, goids: map[uint64]int64{0x10: 1, 0x20: 2, 0x30: 3},
		injecting: map[uint32]*injection{}, mstates: map[int64]string{}, pstates: map[int64]string{},
		emit: func(e *Event) { sent = append(sent, e) },
	}
	n.snapshots.model() // past the run's first samples
	n.snapshots.credit = 0
	put := func(goid uint64, next uint64) {
		n.record(record{kind: kRunqput, a: [5]uint64{goid, 0, next}})
	}
	snap := func(runnext uint64, goids ...uint64) bool {
		before := len(sent)
		n.record(record{kind: kRunq, a: [5]uint64{0, runnext, uint64(len(goids))}, goids: goids})
		return len(sent) > before && sent[len(sent)-1].Kind == "runq"
	}
	put(1, 1)
	put(2, 1)
	if snap(0x20, 0x10) {
		t.Fatalf("a snapshot the events imply (runnext 2, queue [1]) was sent")
	}
	if !snap(0x20, 0x10, 0x30) {
		t.Fatalf("a snapshot the events do not imply (3 in the queue) was not sent")
	}
	if snap(0x20, 0x10, 0x30) {
		t.Fatalf("the model did not take the snapshot sent")
	}
	for i := 0; i < verifyEvery; i++ {
		n.record(record{kind: kGC, a: [5]uint64{uint64(1 + i%3)}}) // mark, mark termination, off
	}
	if !snap(0x20, 0x10, 0x30) {
		t.Fatalf("no sample after %d other events", verifyEvery)
	}
	if snap(0x20, 0x10, 0x30) {
		t.Fatalf("a second sample right after the first")
	}
	ptrs := []uint64{0x10, 0x30}
	for i := uint64(0); i < bigChange; i++ {
		n.goids[0x100+i] = int64(100 + i)
		put(100+i, 0)
		ptrs = append(ptrs, 0x100+i)
	}
	n.snapshots.credit = 0
	if !snap(0x20, ptrs...) {
		t.Fatalf("a queue %d goroutines longer than last shown was not shown", bigChange)
	}
	global := func(size uint64, goids ...uint64) bool {
		before := len(sent)
		n.record(record{kind: kGlobalq, a: [5]uint64{size, uint64(len(goids)), 1}, goids: goids})
		return len(sent) > before && sent[len(sent)-1].Kind == "globalq"
	}
	n.snapshots.credit = 0
	if global(1, 0x10) {
		t.Fatalf("a global queue snapshot that differs from the model once (a race with another M) was sent")
	}
	if !global(1, 0x10) {
		t.Fatalf("a global queue snapshot that differs from the model twice in a row was not sent")
	}
	if global(1, 0x10) {
		t.Fatalf("the model did not take the global queue snapshot sent")
	}
	global(3, 0x10)
	if !global(3, 0x10) {
		t.Fatalf("a global queue snapshot that leaves some out, and differs twice, was not sent")
	}
	if !global(3, 0x10) {
		t.Fatalf("after a global queue snapshot that left some out, the next was not sent")
	}
	n.snapshots.all = true
	if !snap(0x20, ptrs...) {
		t.Fatalf("with every snapshot asked for, one the events imply was not sent")
	}
}
