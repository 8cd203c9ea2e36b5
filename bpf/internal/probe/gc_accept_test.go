package probe

import (
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// colourSteps are what happened to each object in events, in order: its
// gc.color colours, and "span" where a gc.span named it.
func colourSteps(events []event) map[int64][]string {
	steps := map[int64][]string{}
	for _, e := range events {
		switch e.kind() {
		case "gc.color":
			steps[e.num("addr")] = append(steps[e.num("addr")], e.str("color"))
		case "gc.span":
			objects, _ := e["objects"].([]any)
			for _, o := range objects {
				a := int64(o.(float64))
				steps[a] = append(steps[a], "span")
			}
		}
	}
	return steps
}

// greyEvent is the object's first gc.color grey in events, if any.
func greyEvent(events []event, addr int64) event {
	for _, e := range events {
		if e.kind() == "gc.color" && e.num("addr") == addr && e.str("color") == "grey" {
			return e
		}
	}
	return nil
}

// TestGCLensMarksAReachableList is the acceptance: a 1,000-node list
// reachable from a global and a dropped 500-node list, then runtime.GC().
// In the collection after the lists are built, each kept node goes grey
// (on Green Tea: grey, then its span scanned) then black, none of the
// dropped ones is shaded, and all of those are freed before the next
// collection begins (runtime.GC sweeps before it returns); the kept list's
// head is found from the globals and, on the per-object collector, each
// other node from the node after it.
func TestGCLensMarksAReachableList(t *testing.T) {
	ebpftest.Require(t)
	for _, v := range gcVariants(t) {
		t.Run(v.name(), func(t *testing.T) {
			events := recordGC(t, v.build(t, "gclist"), 2, 0)
			perSpan := gcStart(t, v, events[0])
			kept := allocsAt(events, lineOf(t, "gclist", "// kept node"))
			dropped := allocsAt(events, lineOf(t, "gclist", "// dropped node"))
			if len(kept) != 1000 || len(dropped) != 500 {
				t.Fatalf("%d kept and %d dropped nodes allocated, want 1000 and 500", len(kept), len(dropped))
			}
			// buildKept and buildDropped are inlined into main: their allocations are theirs still.
			checkAllocFn(t, events, lineOf(t, "gclist", "// kept node"), "main.buildKept")
			checkAllocFn(t, events, lineOf(t, "gclist", "// dropped node"), "main.buildDropped")
			cycle, next := cycleAfter(t, events, dropped[len(dropped)-1])
			in := events[cycle:next]
			steps := colourSteps(in)
			for i, a := range kept {
				s := steps[a]
				first := len(s) > 0 && (s[0] == "grey" || perSpan && s[0] == "span")
				if !first || s[len(s)-1] != "black" {
					t.Fatalf("kept node %d (%#x) in the collection: %v, want grey then black", i, a, s)
				}
			}
			for i, a := range dropped {
				if len(steps[a]) > 0 {
					t.Fatalf("dropped node %d (%#x) was shaded: %v", i, a, steps[a])
				}
			}
			checkFreed(t, in, events, kept, dropped)
			checkMarkers(t, in)
			if g := greyEvent(in, kept[len(kept)-1]); g == nil || g.str("root") != "globals" {
				t.Errorf("the kept list's head was not found from the globals: %v", g)
			}
			for i := 0; i+1 < len(kept) && !perSpan; i++ {
				if g := greyEvent(in, kept[i]); g.num("from") != kept[i+1] {
					t.Fatalf("kept node %d found from %#x, want the node after it (%#x)", i, g.num("from"), kept[i+1])
				}
			}
		})
	}
}

// cycleAfter finds the first collection whose marking begins after the
// event allocating addr: the indexes of its gc mark event and of the next
// (or the end).
func cycleAfter(t *testing.T, events []event, addr int64) (int, int) {
	t.Helper()
	allocated := -1
	for i, e := range events {
		if e.kind() == "heap.alloc" && e.num("addr") == addr {
			allocated = i
		}
	}
	ms := marks(events)
	for i, m := range ms {
		if m > allocated {
			if i+1 < len(ms) {
				return m, ms[i+1]
			}
			return m, len(events)
		}
	}
	t.Fatalf("no collection after the lists were built (%d mark phases)", len(ms))
	return 0, 0
}

// checkMarkers: the marking is said in the context of the goroutine that
// does it (a mark worker, or a goroutine assisting), not the M's g0.
func checkMarkers(t *testing.T, cycle []event) {
	t.Helper()
	for _, e := range cycle {
		if e.kind() == "gc.color" && e.str("by") == "mark" && e.num("g") == 0 {
			t.Fatalf("marking said on g0: %v", e)
		}
	}
}

// checkFreed: every dropped node is freed in the collection's sweep, and no kept node ever.
func checkFreed(t *testing.T, cycle, all []event, kept, dropped []int64) {
	t.Helper()
	freedIn := map[int64]bool{}
	for _, e := range cycle {
		if e.kind() == "heap.free" {
			freedIn[e.num("addr")] = true
		}
	}
	for i, a := range dropped {
		if !freedIn[a] {
			t.Fatalf("dropped node %d (%#x) not freed before the next collection", i, a)
		}
	}
	keptSet := map[int64]bool{}
	for _, a := range kept {
		keptSet[a] = true
	}
	for _, e := range all {
		if e.kind() == "heap.free" && keptSet[e.num("addr")] {
			t.Fatalf("kept node %#x freed: %v", e.num("addr"), e)
		}
	}
}

// TestGCLensWriteBarrier: a goroutine moves nodes of a list reachable from a
// global while the collector marks it. The write barrier shades at least
// one object, and at every mark termination no node of the list is white.
func TestGCLensWriteBarrier(t *testing.T) {
	ebpftest.Require(t)
	for _, v := range gcVariants(t) {
		t.Run(v.name(), func(t *testing.T) {
			events := recordGC(t, v.build(t, "gcmover"), 2, 0)
			nodes := allocsAt(events, lineOf(t, "gcmover", "// list node"))
			if len(nodes) != 5000 {
				t.Fatalf("%d nodes allocated, want 5000", len(nodes))
			}
			built, _ := cycleAfter(t, events, nodes[len(nodes)-1])
			barriers, terminations := 0, 0
			colour := map[int64]string{}
			for _, e := range events[built:] {
				switch {
				case e.kind() == "gc" && e.str("phase") == "mark":
					colour = map[int64]string{}
				case e.kind() == "gc.color":
					colour[e.num("addr")] = e.str("color")
					if e.str("by") == "barrier" {
						barriers++
					}
				case e.kind() == "gc" && e.str("phase") == "marktermination":
					terminations++
					for i, a := range nodes {
						if colour[a] == "" {
							t.Fatalf("mark termination %d: node %d (%#x) is white", terminations, i, a)
						}
					}
				}
			}
			if barriers == 0 || terminations < 4 {
				t.Errorf("%d barrier shades (want some) in %d mark terminations (want 4)", barriers, terminations)
			}
		})
	}
}

// TestGCLensLimit: past its bound the lens says heap.limit once and follows no more allocations.
func TestGCLensLimit(t *testing.T) {
	ebpftest.Require(t)
	vs := versions(t)
	v := gcVariant{version: vs[len(vs)-1]}
	events := recordGC(t, v.build(t, "gclist"), 2, 300)
	allocs, limits := 0, 0
	for _, e := range events {
		switch e.kind() {
		case "heap.alloc":
			allocs++
			if limits > 0 {
				t.Fatalf("heap.alloc after heap.limit: %v", e)
			}
		case "heap.limit":
			limits++
			if e.num("objects") != 300 {
				t.Errorf("heap.limit says %d objects, want 300", e.num("objects"))
			}
		}
	}
	if limits != 1 || allocs > 300 || allocs < 100 {
		t.Errorf("%d heap.limit (want 1), %d heap.alloc (want up to 300)", limits, allocs)
	}
}

// checkAllocFn checks that every allocation at line is said made by fn.
func checkAllocFn(t *testing.T, events []event, line int64, fn string) {
	t.Helper()
	for _, e := range events {
		if e.kind() == "heap.alloc" && e.num("line") == line && e.str("fn") != fn {
			t.Fatalf("the allocation at line %d said made by %q, want %s: %v", line, e.str("fn"), fn, e)
		}
	}
}
