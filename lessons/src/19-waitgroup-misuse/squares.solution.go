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
		wg.Add(1) // counted before the goroutine exists, so Wait cannot miss it
		go worker(i, results, &wg)
	}
	wg.Wait()
	fmt.Println(results)
}
