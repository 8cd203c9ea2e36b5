// Right: a flag (sync/atomic) says when the collections are over, and a WaitGroup waits for them.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
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
	var over atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.GC()
		runtime.GC()
		over.Store(true)
	}()
	for !over.Load() {
		grow(10)
	}
	wg.Wait()
	fmt.Println("the list starts at", list.val)
}
