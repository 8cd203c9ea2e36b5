// The GC lens on the trace backend (gc_test.go): a 1,000-node list kept
// from a global, a 500-node list dropped, then two collections. The lists
// are built on lines of their own, which the test finds by their comments.
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	val  int
}

var kept *node

func buildKept(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i} // kept node
	}
	return head
}

func buildDropped(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i} // dropped node
	}
	return head
}

func main() {
	kept = buildKept(1000)
	dropped := buildDropped(500)
	fmt.Println(dropped.val)
	dropped = nil
	runtime.GC()
	runtime.GC()
	fmt.Println(kept.val)
}
