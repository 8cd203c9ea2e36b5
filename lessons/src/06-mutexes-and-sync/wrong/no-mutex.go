// Misconception: with the sleep outside, the lock is not needed any more.
// Fails: still-locked
// Hint names: a data race
package main

import (
	"fmt"
	"sync"
	"time"
)

const adders = 5

var total int

func add(wg *sync.WaitGroup) {
	defer wg.Done()
	total++
	time.Sleep(time.Millisecond)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < adders; i++ {
		wg.Add(1)
		go add(&wg)
	}
	wg.Wait()
	fmt.Println("total", total)
}
