// Misconception: goroutines run in parallel even when each holds a mutex for its whole count.
// Fails: parallel
// Hint names: a mutex held for the whole count
package main

import (
	"fmt"
	"sync"
)

var sink [4]int

var mu sync.Mutex

func count(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	defer mu.Unlock()
	for j := 0; j < 30000000; j++ {
		sink[i] += j
	}
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go count(i, &wg)
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
