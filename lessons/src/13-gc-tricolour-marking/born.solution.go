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
	done := make(chan bool)
	go func() {
		runtime.GC()
		runtime.GC()
		done <- true
	}()
	for growing := true; growing; {
		select {
		case <-done:
			growing = false
		default:
			grow(10)
		}
	}
	fmt.Println("the list starts at", list.val)
}
