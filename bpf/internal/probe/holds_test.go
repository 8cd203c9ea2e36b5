package probe

import (
	"fmt"
	"slices"
	"testing"
)

// testNormalizer is a normalizer with no target, for records that need none;
// its events go to sent, as "kind goid queue qp reason" lines.
func testNormalizer(sent *[]string) *normalizer {
	n := &normalizer{
		last: map[int64]string{}, goids: map[uint64]int64{},
		injecting: map[uint32]*injection{}, mstates: map[int64]string{}, pstates: map[int64]string{},
	}
	n.emit = func(e *Event) {
		line := e.Kind
		for _, name := range []string{"goid", "queue", "qp", "reason", "victim"} {
			if v := field(e, name); v != nil {
				line += fmt.Sprint(" ", v)
			}
		}
		*sent = append(*sent, line)
	}
	return n
}

// fillP0 puts goroutines 1000..1255 on P0's local queue, as thread 1: the model's queue is full.
func fillP0(n *normalizer) {
	for id := uint64(1000); id < 1000+localCapacity; id++ {
		n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{id, 0, 0}})
	}
}

func ids(from, to uint64) []uint64 {
	var out []uint64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// A put the model's full queue would overflow waits for runqputslow to say
// it happened; the overflow is said first, then the put's goroutine (to the
// global queue, as it was put), and the model is the runtime's.
func TestAPutIntoAFullQueueWaitsForItsOverflow(t *testing.T) {
	var sent []string
	n := testNormalizer(&sent)
	fillP0(n)
	sent = nil
	n.last[2000] = "create"
	n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{2000, 0, 0}})
	if len(sent) != 0 {
		t.Fatalf("a put into a full queue was said before its overflow: %v", sent)
	}
	// Another thread's records go on meanwhile.
	n.record(record{kind: kExecute, tid: 2, a: [5]uint64{7, 0}})
	if !slices.Equal(sent, []string{"g.running 7"}) {
		t.Fatalf("another thread's record waited too: %v", sent)
	}
	n.record(record{kind: kOverflow, tid: 1, a: [5]uint64{0, 0, 129}, goids: append(ids(1000, 1127), 2000)})
	if len(sent) != 1+129 || sent[1] != "g.runnable 1000 global -1 overflow" || sent[129] != "g.runnable 2000 global -1 create" {
		t.Fatalf("the overflow then the put: got %d events, %v ... %v", len(sent), sent[1], sent[len(sent)-1])
	}
	q := n.snapshots.model()
	if !q.sameLocal(0, 0, span(1128, 1255)) || len(q.global) != 129 || q.global[128] != 2000 {
		t.Fatalf("after the overflow: P0 %v, global %d long", q.proc(0).runq, len(q.global))
	}
}

// A put to runnext that kicks the old one into a full queue: the overflow
// takes the old runnext, and the put comes after it.
func TestARunnextPutWaitsForTheOverflowOfTheOneItKicks(t *testing.T) {
	var sent []string
	n := testNormalizer(&sent)
	fillP0(n)
	n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{3000, 0, 1}})
	sent = nil
	n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{3001, 0, 1}})
	if len(sent) != 0 {
		t.Fatalf("said before its overflow: %v", sent)
	}
	n.record(record{kind: kOverflow, tid: 1, a: [5]uint64{0, 0, 129}, goids: append(ids(1000, 1127), 3000)})
	if sent[128] != "g.runnable 3000 global -1 overflow" || sent[129] != "g.runnable 3001 runnext 0 other" {
		t.Fatalf("got %v, %v", sent[128], sent[129])
	}
	if q := n.snapshots.model(); !q.sameLocal(0, 3001, span(1128, 1255)) {
		t.Fatalf("P0 holds runnext %d, %d queued", q.proc(0).runnext, len(q.proc(0).runq))
	}
}

// When the thread goes on without an overflow, a steal made room first:
// the put waits for the steal, and the thread's later records wait behind it.
func TestAPutWaitsForTheStealThatMadeRoom(t *testing.T) {
	var sent []string
	n := testNormalizer(&sent)
	fillP0(n)
	sent = nil
	n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{2000, 0, 0}})
	n.record(record{kind: kExecute, tid: 1, a: [5]uint64{1128, 0}}) // not an overflow: it went on
	if len(sent) != 0 {
		t.Fatalf("said before the steal: %v", sent)
	}
	n.record(record{kind: kSteal, tid: 2, a: [5]uint64{1, 0, 128}, goids: ids(1000, 1127)})
	want := []string{"steal 0", "g.runnable 2000 local 0 other", "g.running 1128"}
	if !slices.Equal(sent, want) {
		t.Fatalf("got %v, want %v", sent, want)
	}
	if q := n.snapshots.model(); !q.sameLocal(0, 0, append(span(1129, 1255), 2000)) {
		t.Fatalf("P0 holds %d queued, last %v", len(q.proc(0).runq), q.proc(0).runq[len(q.proc(0).runq)-1])
	}
}

// A hold nothing resolves is let go: before another record about its
// goroutine, after holdLimit other records, and at the end of the run.
func TestAHeldPutIsLetGo(t *testing.T) {
	var sent []string
	held := func() *normalizer {
		n := testNormalizer(&sent)
		fillP0(n)
		n.record(record{kind: kRunqput, tid: 1, a: [5]uint64{2000, 0, 0}})
		sent = nil
		return n
	}
	n := held()
	n.record(record{kind: kExecute, tid: 2, a: [5]uint64{2000, 0}})
	if !slices.Equal(sent, []string{"g.runnable 2000 local 0 other", "g.running 2000"}) {
		t.Errorf("another thread running it: %v", sent)
	}
	n = held()
	for i := 0; i <= holdLimit; i++ {
		n.record(record{kind: kGC, tid: 2, a: [5]uint64{1}})
	}
	if len(sent) != holdLimit+2 || sent[holdLimit] != "g.runnable 2000 local 0 other" {
		t.Errorf("after holdLimit records: %d events, the put not after the first %d", len(sent), holdLimit)
	}
	n = held()
	n.record(record{kind: kExecute, tid: 1, a: [5]uint64{9, 0}})
	n.flush()
	if !slices.Equal(sent, []string{"g.runnable 2000 local 0 other", "g.running 9"}) {
		t.Errorf("flush: %v", sent)
	}
}

// Global queue snapshots that leave some out are not sent when they agree
// with the model (a reader would forget the rest), nor when the model is
// only behind: the runtime has taken its first few, and not said so yet.
func TestGlobalSnapshotsTheModelIsNotWrongAbout(t *testing.T) {
	var sent []string
	n := testNormalizer(&sent)
	for id := int64(1); id <= 100; id++ {
		n.goids[uint64(0x1000+id)] = id
		n.event(0, "g.runnable", 0, 0, 0, F("goid", id), F("queue", "global"), F("qp", int64(-1)))
	}
	n.snapshots.credit = 0
	ptrs := func(from, to int64) []uint64 {
		var out []uint64
		for id := from; id <= to; id++ {
			out = append(out, uint64(0x1000+id))
		}
		return out
	}
	global := func(size uint64, goids []uint64) bool {
		before := len(sent)
		n.record(record{kind: kGlobalq, a: [5]uint64{size, uint64(len(goids)), 1}, goids: goids})
		return len(sent) > before
	}
	if global(100, ptrs(1, 64)) {
		t.Fatalf("a snapshot of the first 64 of the 100 the model holds was sent")
	}
	if global(97, ptrs(4, 67)) || global(97, ptrs(4, 67)) {
		t.Fatalf("a snapshot without the model's first three (taken, not said yet) was sent")
	}
	if global(0, nil) || global(0, nil) {
		t.Fatalf("an empty queue the model is behind on was sent")
	}
	global(99, append(ptrs(1, 63), 0x1000+100))
	if !global(99, append(ptrs(1, 63), 0x1000+100)) {
		t.Fatalf("a snapshot without one in the middle, twice, was not sent")
	}
}

// A steal's and an overflow's goroutines come as g pointers, named as the
// records come off the ring (take): a creation waiting behind its thread's
// held put still names the goroutine another thread steals meanwhile.
func TestAStealNamesAGoroutineWhoseCreationIsHeldBack(t *testing.T) {
	var sent []string
	n := testNormalizer(&sent)
	var stolen []int64
	emit := n.emit
	n.emit = func(e *Event) {
		if e.Kind == "steal" {
			stolen = field(e, "goids").([]int64)
		}
		emit(e)
	}
	fillP0(n)
	n.last[2000] = "create"
	n.take(record{kind: kRunqput, tid: 1, a: [5]uint64{2000, 0, 0}}) // held: P0 is full
	n.take(record{kind: kCreate, tid: 1, a: [5]uint64{3000, 1, 0, 0, 0xc000300000}})
	n.take(record{kind: kSteal, tid: 2, a: [5]uint64{1, 2, 2}, goids: []uint64{0xc000300000, 0xdead}})
	if !slices.Equal(stolen, []int64{3000}) {
		t.Fatalf("the steal named %v, want [3000] (the unknown pointer left out)", stolen)
	}
}
