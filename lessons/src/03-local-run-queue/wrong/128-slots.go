// Misconception: the local queue has 128 slots (the 128 that move when it overflows).
// Fails: overflow
// Hint names: 256 slots, plus runnext
package main

import (
	"fmt"
	"runtime"
	"sync"
)

const n = 200

func work(wg *sync.WaitGroup) {
	wg.Done()
}

func main() {
	// A fresh time slice, and an empty queue: the runtime's own goroutines still
	// queued from start-up run first (lesson 10 tells why a slice matters).
	runtime.Gosched()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go work(&wg)
	}
	wg.Wait()
	fmt.Println(n, "goroutines ran")
}
