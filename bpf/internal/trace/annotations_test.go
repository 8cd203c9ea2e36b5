package trace

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/probe"
)

// annotationView is what a run says of the program's own annotations, per
// goroutine (named by its function: ids may differ between runs), in order:
// tasks by name with their parent's, regions with their task, depth and
// nesting, logs with their task. Sorted by goroutine, so that runs which
// scheduled the goroutines differently compare equal.
func annotationView(events []event) []string {
	fnOf := map[int64]string{1: "main"}
	taskName := map[int64]string{0: "background"}
	per := map[int64][]string{}
	var order []int64
	for _, e := range events {
		switch e.kind() {
		case "g.create":
			if e.num("goid") != 1 {
				fnOf[e.num("goid")] = e.str("fn")
			}
			continue
		case "user.task":
			if e["begin"] == true {
				taskName[e.num("task")] = e.str("name")
			}
		case "user.region", "user.log":
		default:
			continue
		}
		g := e.num("g")
		if _, ok := per[g]; !ok {
			order = append(order, g)
		}
		per[g] = append(per[g], annotationLine(e, taskName))
	}
	var view []string
	for _, g := range order {
		view = append(view, fnOf[g]+": "+strings.Join(per[g], "; "))
	}
	slices.Sort(view)
	return view
}

func annotationLine(e event, taskName map[int64]string) string {
	verb := "ends"
	if e["begin"] == true {
		verb = "begins"
	}
	switch e.kind() {
	case "user.task":
		return fmt.Sprintf("%s task %q (parent %q)", verb, e.str("name"), taskName[e.num("parent")])
	case "user.region":
		return fmt.Sprintf("%s region %q of %q at depth %d", verb, e.str("name"), taskName[e.num("task")], e.num("depth"))
	}
	return fmt.Sprintf("logs %s=%q in %q", e.str("category"), e.str("message"), taskName[e.num("task")])
}

// annotateView is annotationView of testdata/annotate.go as it must be.
var annotateView = func() []string {
	view := []string{`main: begins task "batch" (parent "background"); begins region "fan out" of "batch" at depth 0; ` +
		`ends region "fan out" of "batch" at depth 0; logs result="[499500 1999000 4498500]" in "batch"; ` +
		`ends task "batch" (parent "background"); logs ="done" in "background"`}
	for i, n := range []int{1000, 2000, 3000} {
		req := fmt.Sprintf("request %d", i)
		view = append(view, fmt.Sprintf(`main.handle: begins task %[1]q (parent "batch"); `+
			`begins region "handle" of %[1]q at depth 0; begins region "fetch" of %[1]q at depth 1; `+
			`logs rows="%[2]d" in %[1]q; ends region "fetch" of %[1]q at depth 1; `+
			`begins region "store" of %[1]q at depth 1; logs stage="stored" in %[1]q; `+
			`ends region "store" of %[1]q at depth 1; ends region "handle" of %[1]q at depth 0; `+
			`ends task %[1]q (parent "batch")`, req, n))
	}
	slices.Sort(view)
	return view
}()

func TestAnnotationsTraced(t *testing.T) {
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			bin, src := buildWith(t, version, "annotate")
			events, _ := record(t, bin, src, 2)
			got := annotationView(events)
			if !slices.Equal(got, annotateView) {
				t.Errorf("annotations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(annotateView, "\n"))
			}
		})
	}
}

// TestBothBackendsAgreeOnAnnotations runs the same program on both
// backends: the eBPF one, which probes the annotation calls with the tracer
// off, must say the same tasks, regions and logs as the tracer, goroutine by
// goroutine and in the same order on each.
func TestBothBackendsAgreeOnAnnotations(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			for _, name := range []string{"annotate", "regionshapes"} {
				tView, pView := annotationsOnBoth(t, version, name)
				if name == "annotate" && !slices.Equal(tView, annotateView) {
					t.Errorf("trace backend:\n%s", strings.Join(tView, "\n"))
				}
				if len(tView) == 0 || !slices.Equal(pView, tView) {
					t.Errorf("%s: the backends differ:\neBPF:\n%s\ntrace:\n%s", name, strings.Join(pView, "\n"), strings.Join(tView, "\n"))
				}
			}
		})
	}
}

// annotationsOnBoth records testdata/name.go on both backends and returns
// the annotations each saw (annotationView).
func annotationsOnBoth(t *testing.T, version, name string) (traced, probed []string) {
	t.Helper()
	bin, src := buildWith(t, version, name)
	tEvents, _ := record(t, bin, src, 2)
	var out bytes.Buffer
	if err := probe.Run(probe.Options{Binary: plainBuild(t, version, src), Procs: 2, Out: &out}); err != nil {
		t.Fatalf("eBPF run: %v", err)
	}
	return annotationView(tEvents), annotationView(parse(t, out.Bytes()))
}
