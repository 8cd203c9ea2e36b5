package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The GC lens's cost (slowmo-probe run --gc): a program that builds two
// lists and collects three times, recorded with and without the lens. It
// marks the clock when main starts, once the lists are built and when it
// ends (mark.go), so that its own time splits in two: the allocations,
// whose events cost the allocator's entry and return probes (gc.bpf.c),
// and the collections, whose events are the marking (gc.color, gc.span,
// heap.edge) and sweeping (heap.free), beside the scheduler's events' goal.
const gcProgram = `package main

import "runtime"

type node struct {
	next *node
	val  int
}

var kept, dropped *node

func build(n int) *node {
	var h *node
	for i := 0; i < n; i++ {
		h = &node{next: h, val: i}
	}
	return h
}

func main() {
	kept = build(6000)
	dropped = build(3000)
	dropped = nil
	mark()
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
}
`

// gcRuns: each program three times a way, to stay under 30 s (the probe's
// loading is most of a run's wall time; the figures come from the
// program's own time, between the marks it writes).
const gcRuns = 3

// gcRun is one recorded run: its wall time, the program's own time (main's
// start to end, from its marks) and its events by kind.
type gcRun struct {
	wall         time.Duration
	alloc, marks time.Duration // main's own time building the lists, and collecting
	kinds        map[string]int64
}

func (r gcRun) count(prefixes ...string) int64 {
	var n int64
	for kind, c := range r.kinds {
		for _, p := range prefixes {
			if strings.HasPrefix(kind, p) {
				n += c
			}
		}
	}
	return n
}

// recordKinds runs slowmo-probe and counts its events by kind.
func recordKinds(probe string, args []string) gcRun {
	cmd := exec.Command(probe, args...)
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	r := gcRun{kinds: map[string]int64{}}
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	var ms []int64
	for sc.Scan() {
		kind := string(between(sc.Bytes(), `"kind":"`, '"'))
		r.kinds[kind]++
		if kind == "output" {
			var out struct {
				Data string `json:"data"`
			}
			if json.Unmarshal(sc.Bytes(), &out) == nil {
				ms = append(ms, marks(out.Data)...)
			}
		}
	}
	if len(ms) == 3 {
		r.alloc, r.marks = time.Duration(ms[1]-ms[0]), time.Duration(ms[2]-ms[1])
	}
	if err := cmd.Wait(); err != nil {
		fail(fmt.Errorf("%s: %v", probe, err))
	}
	r.wall = time.Since(start)
	return r
}

// medianRun is each figure's median on its own (the counts vary little).
func medianRun(runs []gcRun) gcRun {
	var wall, alloc, marks []time.Duration
	for _, r := range runs {
		wall, alloc, marks = append(wall, r.wall), append(alloc, r.alloc), append(marks, r.marks)
	}
	return gcRun{wall: median(wall), alloc: median(alloc), marks: median(marks), kinds: runs[len(runs)/2].kinds}
}

// gcLens prints the lens's cost per allocation, per marking event and per run.
func gcLens(probe, work string) {
	bin := build(probe, filepath.Join(work, "gc"), "gc", gcProgram, plainBuild)
	var offs, ons []gcRun
	for i := 0; i < gcRuns; i++ {
		offs = append(offs, recordKinds(probe, []string{"run", "--procs", "2", "--", bin}))
		ons = append(ons, recordKinds(probe, []string{"run", "--procs", "2", "--gc", "--", bin}))
	}
	off, on := medianRun(offs), medianRun(ons)
	allocs := on.kinds["heap.alloc"]
	marking := on.count("gc.", "heap.edge", "heap.free")
	fmt.Printf("\nthe GC lens (run --gc) against the same run without it (median of %d): 6,000 list nodes kept, 3,000 dropped, 3 collections\n", gcRuns)
	fmt.Printf("%-7s %9s %11s %11s %10s %8s %8s %8s\n", "", "wall", "allocating", "collecting", "events", "allocs", "marking", "frees")
	for _, r := range []struct {
		name string
		run  gcRun
	}{{"probe", off}, {"--gc", on}} {
		fmt.Printf("%-7s %9s %11s %11s %10d %8d %8d %8d\n", r.name, r.run.wall.Round(time.Millisecond),
			r.run.alloc.Round(10*time.Microsecond), r.run.marks.Round(10*time.Microsecond), r.run.count(""),
			r.run.kinds["heap.alloc"], r.run.count("gc.", "heap.edge"), r.run.kinds["heap.free"])
	}
	// The allocations in main: the runtime's own start-up ones (a few hundred) are counted in too.
	perAlloc := float64(on.alloc-off.alloc) / float64(max(allocs, 1))
	perMark := float64(on.marks-off.marks) / float64(max(marking, 1))
	fmt.Printf("per allocation event %.0f ns (the allocator's entry and its return site); per marking or sweeping event %.0f ns "+
		"(the scheduler's events' goal %d ns: x%.2f); a run: %s more wall time with the lens (x%.2f, its probes' loading included)\n",
		perAlloc, perMark, goalNsPerEvent, perMark/goalNsPerEvent,
		(on.wall - off.wall).Round(time.Millisecond), float64(on.wall)/float64(off.wall))
}
