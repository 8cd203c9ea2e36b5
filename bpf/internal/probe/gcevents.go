package probe

// The GC lens's records to events (gcheap.go keeps the heap): heap.alloc,
// gc.color, heap.edge, gc.span, heap.free and heap.limit.

func addr(a uint64) int64 { return int64(a) }

func (n *normalizer) heapAlloc(r record) {
	a, size, flags := r.a[0], r.a[1], r.a[2]
	if a == 0 || size == 0 {
		return
	}
	o := &heapObject{size: size, noscan: flags&1 != 0}
	n.gc.add(a, o)
	fields := []Field{F("addr", addr(a)), F("size", int64(size)), F("noscan", o.noscan)}
	if at := n.allocSite(r.stack); at.ok {
		fields = append(fields, F("file", at.file), F("line", at.line), F("fn", at.fn))
	}
	n.ev(r, "heap.alloc", fields...)
	if flags&2 != 0 {
		o.colour = black
		n.ev(r, "gc.color", F("addr", addr(a)), F("color", "black"), F("by", "alloc"))
	}
}

// edge says where the pointer to an object being shaded was found: in the
// object at base, in the data segment, on a stack; with base 0 (not passed
// to the function probed), what the thread is scanning says it.
func (n *normalizer) edge(r record, base uint64) []Field {
	h := n.gc
	if base != 0 {
		if from, o := h.find(base); o != nil {
			return []Field{F("from", addr(from))}
		}
		if base >= h.globalsLo && base < h.globalsHi {
			return []Field{F("root", "globals")}
		}
	}
	switch c := h.ctx[r.tid]; c.kind {
	case ctxObject:
		if base == 0 {
			if _, o := h.find(c.value); o != nil {
				return []Field{F("from", addr(c.value))}
			}
		}
	case ctxStack:
		return []Field{F("root", "stack"), F("rootG", int64(c.value))}
	case ctxGlobals:
		return []Field{F("root", "globals")}
	}
	if base != 0 {
		return []Field{F("root", "other")}
	}
	return nil
}

// shade makes the object at a grey (black if it holds no pointers) when it
// is still white; else the pointer found is an edge of the graph.
func (n *normalizer) shade(r record, a uint64, by string, edge []Field) {
	start, o := n.gc.find(a)
	if o == nil {
		return
	}
	if o.colour != white {
		if len(edge) > 0 {
			n.ev(r, "heap.edge", append([]Field{F("to", addr(start))}, edge...)...)
		}
		return
	}
	o.colour = grey
	if o.noscan {
		o.colour = black
	}
	fields := append([]Field{F("addr", addr(start)), F("color", colourNames[o.colour]), F("by", by)}, edge...)
	n.ev(r, "gc.color", fields...)
}

func (n *normalizer) gcGrey(r record) {
	n.shade(r, r.a[0], "mark", n.edge(r, r.a[1]))
}

// gcScan: scanobject's object is black; an object never shaded (one with a
// finalizer, whose referents are marked without it) stays white.
func (n *normalizer) gcScan(r record) {
	n.gc.ctx[r.tid] = scanCtx{ctxObject, r.a[0]}
	start, o := n.gc.find(r.a[0])
	if o == nil || o.colour != grey {
		return
	}
	o.colour = black
	n.ev(r, "gc.color", F("addr", addr(start)), F("color", "black"), F("by", "mark"))
}

// gcSpan: Green Tea scans a span's marked and unscanned objects together.
func (n *normalizer) gcSpan(r record) {
	base := r.a[0]
	n.gc.ctx[r.tid] = scanCtx{ctxSpan, base}
	if len(r.text) < markBytes {
		return
	}
	scans, marks, class := r.text[0:63], r.text[64:127], r.text[127]
	size := uint64(0)
	if c := int(class >> 1); c < len(n.gc.sizes) {
		size = n.gc.sizes[c]
	}
	if size == 0 {
		return
	}
	var scanned []int64
	var objs []*heapObject
	for i := range marks {
		for bit := 0; bit < 8; bit++ {
			if marks[i]&^scans[i]&(1<<bit) == 0 {
				continue
			}
			a := base + uint64(i*8+bit)*size
			if o, ok := n.gc.objects[a]; ok && o.colour != black {
				scanned, objs = append(scanned, addr(a)), append(objs, o)
			}
		}
	}
	if len(scanned) == 0 {
		return
	}
	n.ev(r, "gc.span", F("base", addr(base)), F("size", int64(size)), F("objects", scanned))
	for i, o := range objs {
		o.colour = black
		n.ev(r, "gc.color", F("addr", scanned[i]), F("color", "black"), F("by", "mark"), F("span", addr(base)))
	}
}

// gcBarrier: the write barrier's buffer is flushed; its pointers still white are shaded.
func (n *normalizer) gcBarrier(r record) {
	for _, p := range r.goids {
		if p >= 4096 {
			n.shade(r, p, "barrier", nil)
		}
	}
}

// gcSweep: the span's followed objects whose mark bit is clear are freed.
func (n *normalizer) gcSweep(r record) {
	base, npages, nelems, size := r.a[0], r.a[1], r.a[2], r.a[3]
	if size == 0 || len(r.text) < 2*markBytes {
		return
	}
	marks := append([]byte(nil), r.text[:markBytes]...)
	for i := 0; i < 63; i++ { // Green Tea's inline marks, which this sweep merges in
		marks[i] |= r.text[markBytes+64+i]
	}
	limit := base + npages*pageSize
	var freed []uint64
	for page := base / pageSize; page < limit/pageSize; page++ {
		for _, a := range n.gc.pages[page] {
			i := (a - base) / size
			if i < nelems && i/8 < markBytes && marks[i/8]&(1<<(i%8)) == 0 {
				freed = append(freed, a)
			}
		}
	}
	for _, a := range freed {
		size := n.gc.objects[a].size
		n.gc.remove(a)
		n.ev(r, "heap.free", F("addr", addr(a)), F("size", int64(size)))
	}
}

func (n *normalizer) gcStack(r record) { n.gc.ctx[r.tid] = scanCtx{ctxStack, r.a[0]} }

func (n *normalizer) gcGlobals(r record) { n.gc.ctx[r.tid] = scanCtx{ctxGlobals, 0} }

func (n *normalizer) heapLimit(r record) {
	if !n.gc.limitSaid {
		n.gc.limitSaid = true
		n.ev(r, "heap.limit", F("objects", int64(r.a[0])))
		if n.gc.atLimit != nil {
			n.gc.atLimit()
		}
	}
}
