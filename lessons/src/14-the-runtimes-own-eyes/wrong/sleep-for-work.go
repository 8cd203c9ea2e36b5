// Misconception: time.Sleep stands for work; the CPU profile sees it as it sees arithmetic.
// Fails: cpu-work
// Hint names: time.Sleep
package main

import (
	"fmt"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	total int
)

// work stands for the CPU's part: it takes as long.
func work(seed int) int {
	time.Sleep(50 * time.Millisecond)
	return seed
}

// worker adds its result to the total, under the lock.
func worker(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	r := work(id)
	mu.Lock()
	total += r
	mu.Unlock()
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
