// Misconception: the nodes allocated right after runtime.GC() returns are born black.
// Fails: born-black
// Hint names: after runtime.GC() has returned
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

// grow puts n new nodes at the front of the list.
func grow(n int) {
	for i := 0; i < n; i++ {
		list = &node{next: list, val: i}
	}
}

func main() {
	grow(100)
	runtime.GC()
	grow(500)
	runtime.GC()
	grow(500)
	fmt.Println("the list starts at", list.val)
}
