package probe

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The GC lens's records must be read as gc.bpf.c writes them: its kinds
// (enum gc_kind, after slowmo.bpf.c's and user.bpf.c's), its header
// (slowmo.bpf.c's) and the sizes of its records' tails.
func TestGCRecordLayoutMatchesTheC(t *testing.T) {
	gc, sched, user := readC(t, "gc.bpf.c"), readC(t, "slowmo.bpf.c"), readC(t, "user.bpf.c")
	kinds := map[string]int{"K_HEAP_ALLOC": kHeapAlloc, "K_GC_GREY": kGCGrey, "K_GC_SCAN": kGCScan,
		"K_GC_SPAN": kGCSpan, "K_GC_BARRIER": kGCBarrier, "K_GC_SWEEP": kGCSweep, "K_GC_STACK": kGCStack,
		"K_GC_GLOBALS": kGCGlobals, "K_HEAP_LIMIT": kHeapLimit}
	enum := regexp.MustCompile(`(?s)enum gc_kind \{(.*?)\};`).FindStringSubmatch(gc)
	if enum == nil {
		t.Fatal("gc.bpf.c has no enum gc_kind")
	}
	number := regexp.MustCompile(`(K_\w+)\s*=\s*(\d+)`)
	taken := map[string]bool{}
	for _, src := range []string{sched, user} {
		for _, k := range number.FindAllStringSubmatch(regexp.MustCompile(`(?s)enum (user_)?kind \{.*?\};`).FindString(src), -1) {
			taken[k[2]] = true
		}
	}
	found := number.FindAllStringSubmatch(enum[1], -1)
	if len(found) != len(kinds) || len(taken) < 20 {
		t.Errorf("enum gc_kind has %d kinds, gc.go %d (%d taken by the other files)", len(found), len(kinds), len(taken))
	}
	for _, k := range found {
		if want, ok := kinds[k[1]]; !ok || fmt.Sprint(want) != k[2] {
			t.Errorf("%s = %s in the C, %d in gc.go", k[1], k[2], want)
		}
		if taken[k[2]] {
			t.Errorf("%s = %s is another file's kind too", k[1], k[2])
		}
	}
	header := regexp.MustCompile(`(?s)struct header \{(.*?)\};`)
	if g, s := header.FindStringSubmatch(gc), header.FindStringSubmatch(sched); g == nil || s == nil ||
		strings.Join(strings.Fields(g[1]), " ") != strings.Join(strings.Fields(s[1]), " ") {
		t.Errorf("struct header differs between gc.bpf.c and slowmo.bpf.c")
	}
	for name, want := range map[string]int{"ALLOC_DEPTH": allocDepth, "WBBUF_ENTRIES": wbBufEntries, "MARK_BYTES": markBytes} {
		if !strings.Contains(gc, fmt.Sprintf("#define %s %d\n", name, want)) {
			t.Errorf("gc.bpf.c's %s is not gc.go's %d", name, want)
		}
	}
}

// gcVariant is one way to build a test program: a Go release and a GOEXPERIMENT.
type gcVariant struct{ version, experiment string }

// gcVariants: every supported release with its default collector, and from
// Go 1.26 (Green Tea by default) the per-object one too.
func gcVariants(t *testing.T) []gcVariant {
	var out []gcVariant
	for _, v := range versions(t) {
		out = append(out, gcVariant{v, ""})
		if minorOf(v) >= 26 {
			out = append(out, gcVariant{v, "nogreenteagc"})
		}
	}
	return out
}

func minorOf(version string) int {
	parts := strings.Split(strings.TrimPrefix(version, "go"), ".")
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(parts[1])
	return n
}

func (v gcVariant) name() string {
	if v.experiment == "" {
		return v.version
	}
	return v.version + "-" + v.experiment
}

// build compiles testdata/name.go for the variant.
func (v gcVariant) build(t *testing.T, name string) string {
	t.Helper()
	t.Setenv("GOEXPERIMENT", v.experiment)
	return buildWith(t, v.version, name)
}

// recordGC records bin with the GC lens on.
func recordGC(t *testing.T, bin string, procs, maxObjects int) []event {
	return recordRun(t, bin, procs, func(o *Options) { o.GC, o.GCMaxObjects = true, maxObjects })
}

// lineOf is the line of testdata/name.go that holds marker.
func lineOf(t *testing.T, name, marker string) int64 {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name + ".go")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, marker) {
			return int64(i + 1)
		}
	}
	t.Fatalf("no %q in %s.go", marker, name)
	return 0
}

// allocsAt are the addresses allocated at line, in order.
func allocsAt(events []event, line int64) []int64 {
	var out []int64
	for _, e := range events {
		if e.kind() == "heap.alloc" && e.num("line") == line && strings.HasSuffix(e.str("file"), ".go") {
			out = append(out, e.num("addr"))
		}
	}
	return out
}

// marks is the index of each gc mark phase event.
func marks(events []event) []int {
	var out []int
	for i, e := range events {
		if e.kind() == "gc" && e.str("phase") == "mark" {
			out = append(out, i)
		}
	}
	return out
}

// gcStart checks run.start's gcLens against how the variant was built.
func gcStart(t *testing.T, v gcVariant, start event) (perSpan bool) {
	t.Helper()
	lens, ok := start["gcLens"].(map[string]any)
	if !ok {
		t.Fatalf("run.start has no gcLens: %v", start)
	}
	perSpan, _ = lens["perSpan"].(bool)
	if want := minorOf(v.version) >= 26 && v.experiment == ""; perSpan != want {
		t.Errorf("gcLens.perSpan %v, want %v", perSpan, want)
	}
	if got, _ := lens["experiment"].(string); got != v.experiment {
		t.Errorf("gcLens.experiment %q, want %q", got, v.experiment)
	}
	return perSpan
}
