// Misconception: allocating in another goroutine is enough, even when it is done before the collection starts.
// Fails: born-black
// Hint names: at the same time as runtime.GC()
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
		for i := 0; i < 50; i++ {
			grow(10)
		}
		done <- true
	}()
	<-done
	runtime.GC()
	runtime.GC()
	fmt.Println("the list starts at", list.val)
}
