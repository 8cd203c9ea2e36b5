package main

import (
	"fmt"
	"time"

	probepkg "go-slowmo.dev/bpf/internal/probe"
)

// goalLoad: loading and verifying the probes, which every eBPF run pays
// (hidden behind the build or between runs by preload, but still CPU of a
// class server). Measured at 40 ms here after the queue copies and list
// walks stopped costing the verifier per slot (they made it 112 ms).
const goalLoad = 60 * time.Millisecond

// loadCost times probe.Load, the best of runs, and says how many
// instructions the verifier went through.
func loadCost() {
	var best time.Duration
	var verified uint64
	for i := 0; i < runs; i++ {
		start := time.Now()
		p, err := probepkg.Load()
		if err != nil {
			fail(err)
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
		if verified, err = p.Verified(); err != nil {
			fail(err)
		}
		p.Close()
	}
	fmt.Printf("\nload and verify the probes: best of %d %s, %d instructions verified; goal <= %s (x%.2f of goal)\n",
		runs, best.Round(100*time.Microsecond), verified, goalLoad, float64(best)/float64(goalLoad))
}
