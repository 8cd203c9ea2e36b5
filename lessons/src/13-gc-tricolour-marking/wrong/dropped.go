// Misconception: a node born black survives for good, even when nothing points to it.
// Fails: kept-never-white
// Hint names: reachable from the global list
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	val  int
}

var list *node

// grow makes n new nodes in a list of its own, which nobody keeps.
func grow(n int) int {
	var own *node
	for i := 0; i < n; i++ {
		own = &node{next: own, val: i}
	}
	return own.val
}

func main() {
	list = &node{}
	done := make(chan bool)
	go func() {
		runtime.GC()
		runtime.GC()
		done <- true
	}()
	made := 0
	for growing := true; growing; {
		select {
		case <-done:
			growing = false
		default:
			made += grow(10) + 1
		}
	}
	fmt.Println("made", made, "nodes; the list starts at", list.val)
}
