// Misconception: letting the goroutines run now and then while creating them fills the queue faster.
// Fails: overflow
// Hint names: no runtime.Gosched or wg.Wait inside the loop
package main

import (
	"fmt"
	"runtime"
	"sync"
)

const n = 300

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
		if i%100 == 99 {
			runtime.Gosched()
		}
	}
	wg.Wait()
	fmt.Println(n, "goroutines ran")
}
