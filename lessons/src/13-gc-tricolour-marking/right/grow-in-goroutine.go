// Right: the roles swapped: a goroutine grows the list until main, after its two runtime.GC() calls, tells it to stop.
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
	stop := make(chan bool)
	stopped := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				stopped <- true
				return
			default:
				grow(10)
			}
		}
	}()
	runtime.GC()
	runtime.GC()
	stop <- true
	<-stopped
	fmt.Println("the list starts at", list.val)
}
