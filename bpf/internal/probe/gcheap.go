package probe

import "go-slowmo.dev/bpf/internal/target"

// The normalizer's side of the GC lens (gc.bpf.c's records): the heap it
// has seen allocated, each object's colour in the current cycle, and what
// each collector thread is scanning. The probes report every call; this
// keeps what changes a colour (greyobject runs for objects already marked,
// and the write barrier's buffer holds pointers to black objects too), so
// each gc.color event is a real change, in the order the records came.

const pageSize = 8192

type colour uint8

const (
	white colour = iota
	grey
	black
)

var colourNames = [...]string{white: "white", grey: "grey", black: "black"}

// heapObject is one allocation the lens follows.
type heapObject struct {
	size   uint64
	noscan bool // no pointers: shaded straight to black
	colour colour
}

// scanCtx is what a collector thread is scanning: where the pointers it
// shades next were found.
type scanCtx struct {
	kind  uint8 // ctxNone, ctxObject, ctxSpan, ctxStack, ctxGlobals
	value uint64
}

const (
	ctxNone uint8 = iota
	ctxObject
	ctxSpan
	ctxStack
	ctxGlobals
)

// gcHeap is the run's heap as the lens has seen it.
type gcHeap struct {
	objects    map[uint64]*heapObject
	pages      map[uint64][]uint64 // page number -> objects starting in it
	ctx        map[uint32]scanCtx  // thread -> what it scans
	globalsLo  uint64
	globalsHi  uint64
	sizes      []uint64 // size class -> object size (Green Tea's span records)
	greenTea   bool
	limitSaid  bool
	atLimit    func() // takes the probes off (gcProbes.detach)
	allocSites map[[allocDepth]uint64]allocSite
}

// allocSite is where in the learner's code an allocation was made.
type allocSite struct {
	file, fn string
	line     int
	ok       bool
}

func newGCHeap(bin *target.Binary) *gcHeap {
	h := &gcHeap{objects: map[uint64]*heapObject{}, pages: map[uint64][]uint64{}, ctx: map[uint32]scanCtx{},
		allocSites: map[[allocDepth]uint64]allocSite{}, greenTea: GreenTea(bin), sizes: bin.SizeClasses()}
	h.globalsLo, h.globalsHi, _ = bin.Globals()
	return h
}

// newCycle: marking starts, every object is white again.
func (h *gcHeap) newCycle() {
	for _, o := range h.objects {
		o.colour = white
	}
}

func (h *gcHeap) add(addr uint64, o *heapObject) {
	if _, ok := h.objects[addr]; !ok {
		h.pages[addr/pageSize] = append(h.pages[addr/pageSize], addr)
	}
	h.objects[addr] = o
}

func (h *gcHeap) remove(addr uint64) {
	delete(h.objects, addr)
	page := h.pages[addr/pageSize]
	for i, a := range page {
		if a == addr {
			page[i] = page[len(page)-1]
			page = page[:len(page)-1]
			break
		}
	}
	if len(page) == 0 {
		delete(h.pages, addr/pageSize)
	} else {
		h.pages[addr/pageSize] = page
	}
}

// maxObjectPages bounds the walk back over pages for a pointer into a large object.
const maxObjectPages = 64

// find is the object p points into (its start, or inside it), if followed.
func (h *gcHeap) find(p uint64) (uint64, *heapObject) {
	if o, ok := h.objects[p]; ok {
		return p, o
	}
	for page := p / pageSize; page+maxObjectPages > p/pageSize && page > 0; page-- {
		best, found := uint64(0), false
		for _, a := range h.pages[page] {
			if a <= p && p < a+max(h.objects[a].size, 1) && (!found || a > best) {
				best, found = a, true
			}
		}
		if found {
			return best, h.objects[best]
		}
	}
	return 0, nil
}

// site is the learner's frame of an allocation's return pcs, once per stack.
func (n *normalizer) allocSite(stack []uint64) allocSite {
	var key [allocDepth]uint64
	copy(key[:], stack)
	if at, ok := n.gc.allocSites[key]; ok {
		return at
	}
	var at allocSite
	for _, pc := range stack {
		if pc == 0 {
			break
		}
		if file, line, fn := n.syms.Line(pc - 1); n.syms.IsUser(fn) {
			// Made in a function of the learner's inlined into fn: its line is that
			// function's (the line table's), and so is its name (DWARF's).
			for _, inl := range n.bin.InlinedAt(pc - 1) {
				if n.syms.IsUser(inl) {
					fn = inl
					break
				}
			}
			at = allocSite{file: file, fn: fn, line: line, ok: true}
			break
		}
	}
	n.gc.allocSites[key] = at
	return at
}
