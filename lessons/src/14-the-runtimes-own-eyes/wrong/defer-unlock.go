// Misconception: with defer mu.Unlock() the lock is held only for the addition.
// Fails: block-in-main
// Hint names: holds the lock while it works
package main

import (
	"fmt"
	"sync"
)

var (
	mu    sync.Mutex
	total int
)

// work is the CPU's part: a fixed amount of arithmetic.
func work(seed int) int {
	x := seed
	for i := 0; i < 60_000_000; i++ {
		x = x*31 + i
	}
	return x & 0xff
}

// worker takes the lock and lets defer release it.
func worker(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	defer mu.Unlock()
	total += work(id)
}

func main() {
	var wg sync.WaitGroup
	for i := 1; i <= 6; i++ {
		wg.Add(1)
		go worker(i, &wg)
	}
	wg.Wait()
	fmt.Println("total", total)
}
