package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lineOf is the line of testdata/name.go that holds marker.
func lineOf(t *testing.T, name, marker string) int64 {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, marker) {
			return int64(i + 1)
		}
	}
	t.Fatalf("no %q in %s.go", marker, name)
	return 0
}

// recordGC builds testdata/name.go with the GC lens's helper and runs it with the lens on.
func recordGC(t *testing.T, version, name string, maxObjects int) []event {
	t.Helper()
	src := sourceDir(t, name)
	t.Setenv("GOTOOLCHAIN", version)
	t.Setenv("GOFLAGS", "")
	bin, err := BuildGC(src, t.TempDir())
	if err != nil {
		t.Fatalf("build with %s: %v", version, err)
	}
	var out, log bytes.Buffer
	if err := Run(Options{Binary: bin, Procs: 2, Out: &out, Log: &log, GC: true, GCMaxObjects: maxObjects,
		BuildDir: SourcesOf(bin), SourceDir: src}); err != nil {
		t.Fatalf("run: %v", err)
	}
	events := parse(t, out.Bytes())
	if end := events[len(events)-1]; end.num("exitCode") != 0 || end.str("reason") != "exit" {
		t.Fatalf("run.end: %v (%s)", end, log.String())
	}
	if log.Len() > 0 {
		t.Logf("probe's notes: %s", log.String())
	}
	return events
}

// The program on the trace backend: the heap reconstructed from
// dumps shows the 1,000 kept nodes in the dump after the cycle and the 500
// dropped ones in the dump before it, gone from the one after; no colour
// is said, the marking not being seen.
func TestGCLensFromDumps(t *testing.T) {
	keptLine, droppedLine := lineOf(t, "gclist", "// kept node"), lineOf(t, "gclist", "// dropped node")
	gcLine := lineOf(t, "gclist", "runtime.GC()")
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			events := recordGC(t, version, "gclist", 0)
			lens, _ := events[0]["gcLens"].(map[string]any)
			if lens["source"] != "dumps" || lens["perSpan"] != false {
				t.Fatalf("run.start's gcLens: %v", events[0]["gcLens"])
			}
			dumps := map[int64]event{} // n -> heap.dump
			var moments []string
			var allocs []event
			frees := map[int64][]event{} // address -> its heap.free events, in order
			rooted, linked := map[int64]bool{}, map[int64]bool{}
			sizes := 0
			for _, e := range events {
				switch e.kind() {
				case "gc.color", "gc.span":
					t.Fatalf("seq %d: %s, but the dumps see no marking", e.num("seq"), e.kind())
				case "heap.dump":
					dumps[e.num("n")] = e
					moments = append(moments, e.str("moment"))
				case "heap.alloc":
					allocs = append(allocs, e)
				case "heap.free":
					frees[e.num("addr")] = append(frees[e.num("addr")], e)
				case "heap.edge":
					if e.str("root") == "globals" {
						rooted[e.num("to")] = true
					} else if e["from"] != nil {
						linked[e.num("to")] = true
					}
				case "heap.size":
					if e.num("goal") > 0 {
						sizes++
					}
				}
				if k := e.kind(); strings.HasPrefix(k, "heap.") && k != "heap.dump" && k != "heap.size" && k != "heap.limit" && e["dump"] == nil {
					t.Fatalf("seq %d: %s without its dump", e.num("seq"), k)
				}
			}
			t.Logf("dumps: %v", moments)
			// start, before and after each of the two runtime.GC() calls, end
			// (a cycle's finalizer may add one: never during a call).
			if len(moments) < 6 || moments[0] != "start" || moments[1] != "before-gc" || moments[2] != "after-gc" || moments[len(moments)-1] != "end" {
				t.Fatalf("dump moments %v", moments)
			}
			before, after := dumps[2], dumps[3]
			if before.num("line") != gcLine || !strings.HasSuffix(before.str("file"), "main.go") || after.num("cycle") < 1 || after.num("cycle") <= before.num("cycle") {
				t.Fatalf("the dumps around the first runtime.GC(): %v and %v (line %d)", before, after, gcLine)
			}
			// freedBy is the dump an allocation was gone from (0: never).
			freedBy := func(a event) int64 {
				for _, f := range frees[a.num("addr")] {
					if f.num("seq") > a.num("seq") {
						return f.num("dump")
					}
				}
				return 0
			}
			var kept, dropped []event
			for _, a := range allocs {
				switch a.num("line") {
				case keptLine:
					kept = append(kept, a)
				case droppedLine:
					dropped = append(dropped, a)
				}
			}
			// The learner's: their functions (a package's code inlined in them keeps its file),
			// never the helpers' (the tracer's allocations at init).
			for _, a := range allocs {
				if f := a.str("file"); f != "" && (!strings.HasPrefix(a.str("fn"), "main.") || strings.HasSuffix(f, "trace.go") || strings.Contains(f, "slowmo")) {
					t.Errorf("an allocation named the learner's outside their code: %v", a)
					break
				}
			}
			if len(kept) != 1000 || len(dropped) != 500 {
				t.Fatalf("%d objects allocated at the kept line %d, %d at the dropped line %d; want 1000 and 500", len(kept), keptLine, len(dropped), droppedLine)
			}
			heads := 0
			for _, a := range kept {
				at := a.num("addr")
				if a.num("dump") != 2 || a.str("fn") != "main.buildKept" || a.num("size") != 16 || a["noscan"] != false {
					t.Fatalf("kept node %v: want it first in dump 2 (before the first runtime.GC()), 16 bytes with a pointer, by main.buildKept", a)
				}
				if d := freedBy(a); d != 0 {
					t.Fatalf("kept node %#x freed by dump %d", at, d)
				}
				if rooted[at] {
					heads++
				} else if !linked[at] {
					t.Fatalf("kept node %#x: no pointer to it in any dump", at)
				}
			}
			if heads != 1 {
				t.Errorf("%d kept nodes pointed to from a package variable, want 1 (the head)", heads)
			}
			for _, a := range dropped {
				if d := freedBy(a); a.num("dump") != 2 || d != 3 {
					t.Fatalf("dropped node %v: gone from dump %d; want in 2 (before the cycle), gone from 3 (after it)", a, d)
				}
			}
			if sizes == 0 {
				t.Errorf("no heap.size with a goal")
			}
		})
	}
}

// Past the bound the program takes no more dumps and the lens says so, once,
// at that moment; the run goes on.
func TestGCLensDumpsBound(t *testing.T) {
	version := versions()[len(versions())-1]
	events := recordGC(t, version, "gclist", 1000)
	var limits []event
	var moments []string
	for _, e := range events {
		switch e.kind() {
		case "heap.limit":
			limits = append(limits, e)
		case "heap.dump":
			moments = append(moments, e.str("moment"))
			if e.num("objects") > 1000 {
				t.Fatalf("a dump of %d objects, past the bound of 1000: %v", e.num("objects"), e)
			}
		}
		if strings.HasPrefix(e.kind(), "heap.") && e.kind() != "heap.size" && e.kind() != "heap.limit" && len(limits) > 0 {
			t.Fatalf("seq %d: %s after heap.limit", e.num("seq"), e.kind())
		}
	}
	if len(limits) != 1 || limits[0].num("objects") != 1000 {
		t.Fatalf("heap.limit: %v", limits)
	}
	// The program's own objects (1,500 nodes) pass the bound before the first runtime.GC().
	if len(moments) != 1 || moments[0] != "start" {
		t.Fatalf("dumps %v, want only the one as main began", moments)
	}
	if events[len(events)-1].kind() != "run.end" || events[len(events)-1].num("exitCode") != 0 {
		t.Fatalf("the run should end normally: %v", events[len(events)-1])
	}
}
