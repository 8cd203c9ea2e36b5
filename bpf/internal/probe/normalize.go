package probe

import (
	"fmt"

	"go-slowmo.dev/bpf/internal/stream"
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
	goids       map[uint64]int64      // g pointer -> goid, from creation records as they come (take; a g is reused only through newproc1)
	snapshots   snapshotPolicy        // which runq and globalq snapshots are worth sending
	injecting   map[uint32]*injection // thread -> the injectglist it is in
	mstates     map[int64]string      // M id -> the last m.state sent
	pstates     map[int64]string      // P id -> the last p.state sent
	holds       map[uint32]*heldPut   // thread -> its put held back (holds.go)
	holdOrder   []uint32              // the threads of holds, oldest first
	emit        func(*Event)
	user        *stream.Annotations // the program's own tasks and regions (user.go)
	gc          *gcHeap             // the GC lens's heap (gcheap.go); nil without it
	// a waker's stack -> its user frame (wakerSite)
	wakers map[[wakerDepth]uint64]userSite
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

// ev sends an event in the context of record r.
func (n *normalizer) ev(r record, kind string, fields ...Field) {
	n.event(r.ts, kind, r.m, r.p, r.g, fields...)
}

// take is a record as it comes off the ring. Its g pointers are named
// here, in the ring's order: a creation record teaches the map at once, and
// a steal's or an overflow's pointers are read through it at once, so that a
// creation held back behind a put (holds.go) cannot leave a steal of the new
// goroutine unnamed. (Snapshots keep their pointers until they are used.)
func (n *normalizer) take(r record) {
	switch r.kind {
	case kCreate:
		if r.a[4] != 0 && int64(r.a[0]) > 0 {
			n.goids[r.a[4]] = int64(r.a[0])
		}
	case kSteal, kOverflow:
		for i, p := range r.goids {
			r.goids[i] = uint64(n.goids[p]) // 0: not known, left out
		}
	}
	n.record(r)
}

// record turns one raw record into the events it makes, if any: by its
// kind's handler (recordHandlers), unless it waits behind a put held back
// (holds.go) or an injectglist on its way (inject.go).
func (n *normalizer) record(r record) {
	if n.held(r) || n.injected(r) {
		return
	}
	if handle := recordHandlers[r.kind]; handle != nil {
		handle(n, r)
	}
}

// recordHandlers handle each kind of record (records_gen.go), as the
// reducer's table handles each kind of event. Set in init: the handlers
// call record again (records held back and let go), which a variable's own
// initializer may not lead back to.
var recordHandlers map[uint32]func(*normalizer, record)

func init() {
	recordHandlers = map[uint32]func(*normalizer, record){
		kInject:    (*normalizer).injectStart,
		kInjectEnd: (*normalizer).injectEnd,
		kCreate:    (*normalizer).created,
		kRunqput:   (*normalizer).put,
		kExecute:   (*normalizer).running,
		kPark:      (*normalizer).parked,
		kExit:      (*normalizer).exited,
		kSteal:     (*normalizer).stole,
		kOverflow:  func(n *normalizer, r record) { n.overflow(r, nil) },
		kBatch:     (*normalizer).batched,
		kGlobput:   (*normalizer).globalPut,
		kGosched:   (*normalizer).yielded,
		kSyscall:   (*normalizer).syscall,
		kSysexit:   (*normalizer).syscallExit,
		kPState:    (*normalizer).pstateChange,
		kRunq:      (*normalizer).runqSnapshot,
		kGlobalq:   (*normalizer).globalqSnapshot,
		kLine:      (*normalizer).line,
		kMIdle:     (*normalizer).mIdle,
		kMState:    (*normalizer).mState,
		kGC:        (*normalizer).gcPhase,
		kSTW:       (*normalizer).stw,
		// The program's own annotations (user.go).
		kUserTask:      (*normalizer).userTask,
		kUserTaskEnd:   (*normalizer).userTaskEnd,
		kUserRegion:    (*normalizer).userRegion,
		kUserRegionEnd: (*normalizer).userRegionEnd,
		kUserLog:       (*normalizer).userLog,
		// The GC lens (gcevents.go).
		kHeapAlloc: (*normalizer).heapAlloc,
		kGCGrey:    (*normalizer).gcGrey,
		kGCScan:    (*normalizer).gcScan,
		kGCSpan:    (*normalizer).gcSpan,
		kGCBarrier: (*normalizer).gcBarrier,
		kGCSweep:   (*normalizer).gcSweep,
		kGCStack:   (*normalizer).gcStack,
		kGCGlobals: (*normalizer).gcGlobals,
		kHeapLimit: (*normalizer).heapLimit,
	}
}
