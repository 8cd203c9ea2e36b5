// Misconception: ten goroutines are enough, even if main waits for each nap before starting the next.
// Fails: ten-asleep
// Hint names: a wg.Wait() inside the loop
package main

import (
	"fmt"
	"sync"
	"time"
)

func nap(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(20 * time.Millisecond)
}

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go nap(i, &wg)
		wg.Wait()
	}
	fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
