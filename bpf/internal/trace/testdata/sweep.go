// A heap of small objects made and dropped, round after round, while main
// goes on allocating: after each collection the background sweeper has
// thousands of spans to sweep beside another sweeper (main's allocations),
// with no P idle, so it yields again and again (the runtime's bgsweep).
package main

import (
	"fmt"
	"time"
)

type node struct {
	next *node
	pad  [4]int
}

var keep []*node

func main() {
	for range 6 {
		keep = make([]*node, 0, 300_000)
		for range 300_000 {
			keep = append(keep, &node{})
		}
		keep = nil
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("swept")
}
