package probe

import (
	"fmt"
	"strings"
	"testing"
)

// gcTestNormalizer is a normalizer with the GC lens's heap, saying each
// event as its kind and fields, and Green Tea's size classes 16 and 32.
func gcTestNormalizer(sent *[]string) *normalizer {
	n := &normalizer{last: map[int64]string{}, goids: map[uint64]int64{}}
	n.gc = &gcHeap{objects: map[uint64]*heapObject{}, pages: map[uint64][]uint64{}, ctx: map[uint32]scanCtx{},
		allocSites: map[[allocDepth]uint64]allocSite{}, sizes: []uint64{0, 8, 16, 24, 32}, greenTea: true,
		globalsLo: 0x500000, globalsHi: 0x600000}
	n.emit = func(e *Event) {
		parts := []string{e.Kind}
		for _, f := range e.Fields {
			if v, ok := f.Value.(int64); ok && v > 0xc000000000 {
				f.Value = fmt.Sprintf("%#x", v)
			}
			parts = append(parts, fmt.Sprintf("%s=%v", f.Name, f.Value))
		}
		*sent = append(*sent, strings.Join(parts, " "))
	}
	return n
}

const (
	page = 0xc000010000
	objA = page + 0x20 // index 2 of a 16-byte span
	objB = page + 0x30 // index 3
	objC = page + 0x40 // index 4
)

func gcRec(kind uint32, tid uint32, a ...uint64) record {
	r := record{kind: kind, tid: tid}
	copy(r.a[:], a)
	if kind == kHeapAlloc {
		r.stack = make([]uint64, allocDepth)
	}
	return r
}

// TestGCNormalizerSaysEachChangeOnce: the records as the probes make them
// (every greyobject call, the barrier's whole buffer, span and sweep bits)
// become one event per change of colour, the edges the marking found, and
// the frees the mark bits say.
func TestGCNormalizerSaysEachChangeOnce(t *testing.T) {
	var sent []string
	n := gcTestNormalizer(&sent)
	greenTea := make([]byte, 2*markBytes)
	greenTea[64+objA%page/16/8] |= 1 << (objA % page / 16 % 8) // A marked, not scanned
	greenTea[127] = 2 << 1                                     // size class 2: 16 bytes
	sweep := make([]byte, 2*markBytes)
	sweep[0] = 1 << 2 // A marked in gcmarkBits; B and C not
	for _, r := range []record{
		gcRec(kHeapAlloc, 1, objA, 16, 0), gcRec(kHeapAlloc, 1, objB, 8, 1), gcRec(kHeapAlloc, 1, objC, 16, 2),
		gcRec(kGC, 1, 1),                  // marking begins
		gcRec(kGCGrey, 2, objA, 0x500100), // found in the globals
		gcRec(kGCGrey, 2, objA, objC),     // again: an edge only
		gcRec(kGCStack, 2, 7),
		gcRec(kGCGrey, 2, objB, 0xc000200000), // on g7's stack; no pointers: black
		gcRec(kGCScan, 2, objA),
		gcRec(kGCScan, 2, objB), // black already
		gcRec(kGC, 1, 1),        // the next cycle: white again
		{kind: kGCBarrier, tid: 3, a: [5]uint64{2}, goids: []uint64{0, objC + 8}},
		{kind: kGCSpan, tid: 2, a: [5]uint64{page}, text: greenTea},
		{kind: kGCSweep, tid: 2, a: [5]uint64{page, 1, 512, 16}, text: sweep},
	} {
		n.record(r)
	}
	want := []string{
		"heap.alloc addr=0xc000010020 size=16 noscan=false",
		"heap.alloc addr=0xc000010030 size=8 noscan=true",
		"heap.alloc addr=0xc000010040 size=16 noscan=false", // flags 2: gcmarknewobject ran
		"gc.color addr=0xc000010040 color=black by=alloc",
		"gc phase=mark",
		"gc.color addr=0xc000010020 color=grey by=mark root=globals",
		"heap.edge to=0xc000010020 from=0xc000010040",
		"gc.color addr=0xc000010030 color=black by=mark root=stack rootG=7",
		"gc.color addr=0xc000010020 color=black by=mark",
		"gc phase=mark",
		"gc.color addr=0xc000010040 color=grey by=barrier",
		"gc.span base=0xc000010000 size=16 objects=[824633786400]",
		"gc.color addr=0xc000010020 color=black by=mark span=0xc000010000",
		"heap.free addr=0xc000010030 size=8",
		"heap.free addr=0xc000010040 size=16",
	}
	if strings.Join(sent, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
	if _, o := n.gc.find(objA + 4); o == nil || len(n.gc.objects) != 1 {
		t.Errorf("after the sweep the heap holds %d objects, want A alone (found inside it: %v)", len(n.gc.objects), o)
	}
}
