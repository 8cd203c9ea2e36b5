// While the collector marks a list, a goroutine keeps moving nodes from deep
// in it to its front. Every node stays in the list, reachable from head.
package main

import (
	"fmt"
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
		h = &node{next: h, val: i}
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
	head = build(2000)
	var stop atomic.Bool
	done := make(chan int)
	go func() {
		moves := 0
		for d := 1500; !stop.Load(); d = 500 + (d+997)%1400 {
			move(d)
			moves++
		}
		done <- moves
	}()
	for i := 0; i < 2; i++ {
		runtime.GC()
	}
	stop.Store(true)
	fmt.Println(<-done, "moves during 2 collections")
}
