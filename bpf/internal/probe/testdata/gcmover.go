// The GC lens's write barrier test (gc_test.go): while the collector marks a
// 5,000-node list, a goroutine keeps moving nodes from deep in it to its
// front. Every node stays in the list, reachable from the global head.
package main

import (
	"runtime"
	"sync/atomic"
)

type node struct {
	next *node
	val  int
}

var head *node

func build(n int) *node {
	var h *node
	for i := 0; i < n; i++ {
		h = &node{next: h, val: i} // list node
	}
	return h
}

// move takes the node after the one depth deep and puts it second.
func move(depth int) {
	p := head
	for i := 0; i < depth && p.next != nil; i++ {
		p = p.next
	}
	x := p.next
	if x == nil {
		return
	}
	p.next = x.next
	x.next = head.next
	head.next = x
}

func main() {
	head = build(5000)
	var stop atomic.Bool
	done := make(chan bool)
	go func() {
		for d := 4000; !stop.Load(); d = 1000 + (d+997)%3900 {
			move(d)
		}
		done <- true
	}()
	for i := 0; i < 4; i++ {
		runtime.GC()
	}
	stop.Store(true)
	<-done
}
