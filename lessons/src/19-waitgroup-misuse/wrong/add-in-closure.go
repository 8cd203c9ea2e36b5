// Misconception: a wg.Add(1) at the top of the goroutine's own code counts it in time.
// Fails: all-results
// Hint names: not inside the goroutine
package main

import (
	"fmt"
	"sync"
)

func worker(i int, results []int, wg *sync.WaitGroup) {
	defer wg.Done()
	results[i] = i * i
}

func main() {
	var wg sync.WaitGroup
	results := make([]int, 5)
	for i := 0; i < 5; i++ {
		go func(i int) {
			wg.Add(1)
			worker(i, results, &wg)
		}(i)
	}
	wg.Wait()
	fmt.Println(results)
}
