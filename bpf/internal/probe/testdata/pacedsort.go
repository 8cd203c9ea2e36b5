// For paced mode: main sorts (library code: no line probes, a function
// call at every step of the recursion, where a preempted goroutine stops)
// between go statements (events, so the pacer stops the program there for
// longer than sysmon's 10 ms slice).
package main

import (
	"math/rand"
	"slices"
	"sort"
)

func main() {
	s := rand.Perm(1 << 15)
	for i := 0; i < 6; i++ {
		go func() {}()
		sort.Ints(slices.Clone(s))
	}
}
