// Right: one wg.Add(5) before the loop counts all five workers at once.
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
	wg.Add(len(results))
	for i := 0; i < 5; i++ {
		go worker(i, results, &wg)
	}
	wg.Wait()
	fmt.Println(results)
}
