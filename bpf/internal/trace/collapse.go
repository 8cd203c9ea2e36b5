package trace

import (
	"cmp"
	"slices"
	"strings"

	"go-slowmo.dev/bpf/internal/stream"
)

// collapser leaves out the runtime's own churn that shows nothing: one of
// the runtime's goroutines (bgsweep, mostly) that stops and is run again at
// once on the same P, with nothing else happening on that P or its M in
// between. After a GC, bgsweep yields every ten spans while no P is idle,
// and spins yielding while another sweeper has not finished (issue #73499):
// thousands of yield-and-run pairs a few hundred nanoseconds apart on a
// busy machine, which the tracer's own allocations and its reader's CPU
// make more of (25,000 events of 25,500 in one run of a GC-heavy program).
// Such a pair leaves the picture as it was: the goroutine runs on the P
// before and after. So the stop is held until the next event of its P, its
// M or its goroutine: if that is the goroutine running again on the same P
// and M, neither is sent; otherwise the stop goes first, as it was.
//
// Only the runtime's goroutines (as protocol/goroutines.ts tells them,
// which the widget hides by default) are collapsed: every event of the
// learner's goroutines is sent.
type collapser struct {
	emit    func(t int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field)
	runtime map[int64]bool // goroutines created in the runtime's functions
	held    map[int64]*heldStop
	// Pairs left out.
	collapsed int
}

type heldStop struct {
	t, m, p, g, goid int64
	inferred         bool
	fields           []stream.Field
}

func newCollapser(emit func(t int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field)) *collapser {
	return &collapser{emit: emit, runtime: map[int64]bool{}, held: map[int64]*heldStop{}}
}

// runtimeFunction is protocol/goroutines.ts's isRuntimeFunction: a goroutine
// the runtime runs for itself starts in the runtime (or is one whose start
// was not seen); runtime.main is g1's, which runs the learner's main. The
// profile helper's goroutines (main.slowmoProfile…) count as the runtime's.
func runtimeFunction(fn string) bool {
	if fn == "runtime.main" {
		return false
	}
	return fn == "" || strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/") ||
		strings.HasPrefix(fn, "internal/") || strings.HasPrefix(fn, "main.slowmoProfile")
}

func field(fields []stream.Field, name string) (any, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

func intField(fields []stream.Field, name string) int64 {
	v, _ := field(fields, name)
	n, _ := v.(int64)
	return n
}

// Emit passes an event on, or holds it, or leaves it out with the stop before it.
func (c *collapser) Emit(t int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field) {
	goid := intField(fields, "goid")
	switch kind {
	case "g.create":
		if fn, _ := field(fields, "fn"); goid != 1 && runtimeFunction(fn.(string) /* always a string */) {
			c.runtime[goid] = true
		}
	case "g.exit":
		defer delete(c.runtime, goid)
	case "g.runnable":
		// A running goroutine that stops is its own event's g.
		if p >= 0 && g == goid && c.runtime[goid] {
			c.release(func(h *heldStop) bool { return h.p == p || h.m == m || h.goid == goid })
			c.held[p] = &heldStop{t: t, m: m, p: p, g: g, goid: goid, inferred: inferred,
				fields: append([]stream.Field(nil), fields...)}
			return
		}
	case "g.running":
		if h := c.held[p]; h != nil && h.goid == goid && h.m == m {
			delete(c.held, p)
			c.collapsed++
			return
		}
	}
	if len(c.held) > 0 {
		var goids []int64
		if v, ok := field(fields, "goids"); ok {
			goids, _ = v.([]int64)
		}
		c.release(func(h *heldStop) bool {
			if h.p == p || h.m == m || h.goid == goid {
				return true
			}
			for _, id := range goids {
				if id == h.goid {
					return true
				}
			}
			return false
		})
	}
	c.emit(t, kind, m, p, g, inferred, fields...)
}

// release sends the held stops that match, oldest first.
func (c *collapser) release(match func(*heldStop) bool) {
	var out []*heldStop
	for p, h := range c.held {
		if match(h) {
			delete(c.held, p)
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *heldStop) int { return cmp.Compare(a.t, b.t) })
	for _, h := range out {
		c.emit(h.t, "g.runnable", h.m, h.p, h.g, h.inferred, h.fields...)
	}
}

// flush sends every stop still held (the run ends).
func (c *collapser) flush() {
	c.release(func(*heldStop) bool { return true })
}
