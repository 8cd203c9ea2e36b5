package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go-slowmo.dev/bpf/internal/launch"
	probepkg "go-slowmo.dev/bpf/internal/probe"
)

// The programs of the return-site comparison: each makes many of the events
// whose probes used to sit on RETs (single-stepped, ~15 us a hit) and now
// sit at emulated instructions before them (returns.go in the probe). hit:
// in the table of a hit's cost (counters, no reader); run: in the table of
// whole recorded runs.
var returnPrograms = []struct {
	name, what, src string
	hit, run        bool
	runEnv          []string // for the recorded runs: a smaller size
}{
	{"syscalls", "exitsyscall: 4 goroutines x 5,000 writes to /dev/null", `package main

import (
	"os"
	"sync"
)

func main() {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := []byte("x")
			for i := 0; i < 5000; i++ {
				null.Write(b)
			}
		}()
	}
	wg.Wait()
}
`, true, true, nil},
	{"spawn", "runqputslow: bursts of 5,000 goroutines on one P, 100 times (10 recorded)", `package main

import (
	"os"
	"runtime"
	"strconv"
	"sync"
)

var sink [5000]int

func main() {
	runtime.GOMAXPROCS(1)
	rounds, err := strconv.Atoi(os.Getenv("ROUNDS"))
	if err != nil {
		rounds = 100
	}
	var wg sync.WaitGroup
	for round := 0; round < rounds; round++ {
		for i := 0; i < 5000; i++ {
			wg.Add(1)
			go func(i int) {
				sink[i]++
				wg.Done()
			}(i)
		}
		wg.Wait()
	}
}
`, true, true, []string{"ROUNDS=10"}},
	{"sleepers", "stopm: 2 goroutines x 3,000 sleeps of 20 us, the Ms idle between", `package main

import (
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3000; i++ {
				time.Sleep(20 * time.Microsecond)
			}
		}()
	}
	wg.Wait()
}
`, true, false, nil},
	{"collect", "injectglist (each start of the world polls the network): 500 runtime.GC()", `package main

import (
	"net"
	"runtime"
)

var sink []byte

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	for i := 0; i < 500; i++ {
		sink = make([]byte, 1<<10)
		runtime.GC()
	}
}
`, true, false, nil},
	{"pingpong", "two goroutines on two Ps taking turns (20,000 rounds)", "", false, true, nil},
	{"gc", "binary trees, ~100 collections", `package main

import (
	"runtime/debug"
	"sync"
)

type node struct{ l, r *node }

func tree(d int) *node {
	if d == 0 {
		return &node{}
	}
	return &node{tree(d - 1), tree(d - 1)}
}

func main() {
	debug.SetGCPercent(20)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				tree(12)
			}
		}()
	}
	wg.Wait()
}
`, false, true, nil},
	{"owner", "100 clients and one owner goroutine, 10,000 requests", `package main

import "sync"

type req struct{ reply chan int }

func main() {
	ops := make(chan req)
	go func() {
		n := 0
		for r := range ops {
			n++
			r.reply <- n
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < 100; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reply := make(chan int)
			for i := 0; i < 100; i++ {
				ops <- req{reply}
				<-reply
			}
		}()
	}
	wg.Wait()
}
`, false, true, nil},
}

// Goals of issue 15 for a recorded run against the plain one, on the
// acceptance corpus (ordinary programs); printed here beside the figures
// of these programs, which do little but make events.
const (
	goalMedianSlowdown = 2.0
	goalWorstSlowdown  = 4.0
)

// returnSites compares, side by side in one run, what the return probes
// cost where they were (on the RETs, single-stepped) and where they are (at
// emulated sites before them): first a hit alone (a counter in their
// places, no reader), then whole recorded runs against plain ones.
func returnSites(probe, work string, be *backend) {
	bins := map[string]string{}
	for _, p := range returnPrograms {
		src := p.src
		if src == "" {
			src = programs[p.name]
		}
		bins[p.name] = build(probe, filepath.Join(work, "ret-"+p.name), p.name, src, plainBuild)
	}
	hitCosts(bins)
	recordedRuns(probe, bins, be)
}

// hitCosts prints what a hit of a return probe costs on the RETs and at
// their sites: the program's system time with a counter in either place,
// less its system time with none, per return counted.
func hitCosts(bins map[string]string) {
	fmt.Printf("\nreturn probes, cost of a hit: a counter on the RETs (single-stepped) vs at the emulated sites that stand in for them, no reader;\n")
	fmt.Printf("the program's system time (where a hit is spent) less its system time with no counter, per return counted; median of %d runs, GOMAXPROCS=2\n", runs)
	fmt.Printf("%-9s %9s %9s %9s %9s %11s %11s  %s\n", "program", "sys none", "RETs", "sites", "returns", "us/ret RET", "us/ret site", "returns by function")
	env := append(os.Environ(), "GOMAXPROCS=2")
	for _, p := range returnPrograms {
		if !p.hit {
			continue
		}
		var none, rets, sites []time.Duration
		var counts []int64
		var last map[string]uint64
		for i := 0; i < runs; i++ {
			for _, at := range []probepkg.CountAt{probepkg.CountNowhere, probepkg.CountRets, probepkg.CountSites} {
				c, err := probepkg.CountReturns(bins[p.name], nil, env, at)
				if err != nil {
					fail(err)
				}
				switch at {
				case probepkg.CountNowhere:
					none = append(none, c.Sys)
				case probepkg.CountRets:
					rets = append(rets, c.Sys)
				default:
					sites = append(sites, c.Sys)
					var n uint64
					for _, v := range c.Rets {
						n += v
					}
					counts = append(counts, int64(n))
					last = c.Rets
				}
			}
		}
		n, r, s := median(none), median(rets), median(sites)
		returns := medianInt(counts)
		per := func(d time.Duration) float64 { return float64(d-n) / float64(returns) / 1e3 }
		fmt.Printf("%-9s %9s %9s %9s %9d %11.1f %11.1f  %s\n", p.name, n.Round(time.Millisecond), r.Round(time.Millisecond),
			s.Round(time.Millisecond), returns, per(r), per(s), byFunction(last))
	}
}

// recordedRuns prints whole recorded runs with the return probes on the
// RETs (--ret-sites) and at their sites, against plain runs, and both
// against issue 15's goals.
func recordedRuns(probe string, bins map[string]string, be *backend) {
	fmt.Printf("\nreturn probes in a recorded run: on the RETs (--ret-sites, as before) vs at their emulated sites (the default), median of %d runs, GOMAXPROCS=2;\n", runs)
	fmt.Printf("own: the program's own time (main's start to end, from its clock marks), which leaves out the watched run's start;\n")
	fmt.Printf("x plain: the recorded run's wall (own) time over the plain run's; ns/event: own time less the plain run's, per event\n")
	fmt.Printf("%-9s %9s %9s %9s %15s %15s %9s %9s %9s  %s\n",
		"program", "plain own", "RET own", "sites own", "RET x plain", "sites x plain", "events", "ns/ev RET", "ns/ev site", "what")
	var before, after, beforeOwn, afterOwn []float64
	for _, p := range returnPrograms {
		if !p.run {
			continue
		}
		bin := bins[p.name]
		env := append([]string{"GOMAXPROCS=2"}, p.runEnv...)
		var plain, plainOwn []time.Duration
		var rets, sites []stream
		for i := 0; i < runs; i++ {
			d, own := timeRun(bin, nil, env)
			plain, plainOwn = append(plain, d), append(plainOwn, own)
			rets = append(rets, watch(probe, with(be.args, "--ret-sites", "--", bin), env))
			sites = append(sites, watch(probe, with(be.args, "--", bin), env))
		}
		pl, plOwn, r, s := median(plain), median(plainOwn), medianStream(rets), medianStream(sites)
		perEvent := func(m stream) float64 { return float64(m.own-plOwn) / float64(m.events-be.fixedEvents) }
		ratio := func(a, b time.Duration) float64 { return float64(a) / float64(b) }
		before, after = append(before, ratio(r.wall, pl)), append(after, ratio(s.wall, pl))
		beforeOwn, afterOwn = append(beforeOwn, ratio(r.own, plOwn)), append(afterOwn, ratio(s.own, plOwn))
		fmt.Printf("%-9s %9s %9s %9s %15s %15s %9d %9.0f %9.0f  %s\n", p.name,
			plOwn.Round(time.Millisecond), r.own.Round(time.Millisecond), s.own.Round(time.Millisecond),
			fmt.Sprintf("%.1f (%.1f)", ratio(r.wall, pl), ratio(r.own, plOwn)),
			fmt.Sprintf("%.1f (%.1f)", ratio(s.wall, pl), ratio(s.own, plOwn)),
			s.events, perEvent(r), perEvent(s), p.what)
		if r.lost+s.lost > 0 {
			fmt.Printf("%-9s lost %d (RET) and %d (sites) events\n", "", r.lost, s.lost)
		}
	}
	goal := func(what string, b, a []float64) {
		mb, wb, ma, wa := medianFloat(b), maxFloat(b), medianFloat(a), maxFloat(a)
		fmt.Printf("recorded vs plain (%s) on these busy programs (the goal is the acceptance corpus's): median x%.1f (RET probes x%.1f), goal <= x%.0f (x%.1f of goal); slowest x%.1f (RET probes x%.1f), goal <= x%.0f (x%.1f of goal)\n",
			what, ma, mb, goalMedianSlowdown, ma/goalMedianSlowdown, wa, wb, goalWorstSlowdown, wa/goalWorstSlowdown)
	}
	goal("wall", before, after)
	goal("own time", beforeOwn, afterOwn)
}

func medianFloat(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func maxFloat(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// byFunction lists the returns counted per function, most first.
func byFunction(rets map[string]uint64) string {
	var names []string
	for name, n := range rets {
		if n > 0 {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return rets[names[i]] > rets[names[j]] })
	var parts []string
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(name, "runtime."), rets[name]))
	}
	return strings.Join(parts, ", ")
}

// The counted runs start each program through this binary, which plays the
// probe's exec helper as slowmo-probe does.
func init() {
	if len(os.Args) > 2 && os.Args[1] == launch.ExecHelper {
		if err := launch.ExecTarget(os.Args[2], os.Args[3:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(127)
	}
}
