// Misconception: one wg.Add(1) before the loop is enough for all five workers.
// Fails: all-results, clean-exit
// Hint names: wg.Add(1) before each go statement
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
	wg.Add(1)
	for i := 0; i < 5; i++ {
		go worker(i, results, &wg)
	}
	wg.Wait()
	fmt.Println(results)
}
