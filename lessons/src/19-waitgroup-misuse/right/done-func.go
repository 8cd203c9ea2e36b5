// Right: the worker gets only wg.Done, so it cannot call Add at all; main adds before each go.
package main

import (
	"fmt"
	"sync"
)

func worker(i int, results []int, done func()) {
	defer done()
	results[i] = i * i
}

func main() {
	var wg sync.WaitGroup
	results := make([]int, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go worker(i, results, wg.Done)
	}
	wg.Wait()
	fmt.Println(results)
}
