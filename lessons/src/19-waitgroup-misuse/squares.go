package main

import (
	"fmt"
	"sync"
)

func worker(i int, results []int, wg *sync.WaitGroup) {
	wg.Add(1)
	defer wg.Done()
	results[i] = i * i
}

func main() {
	var wg sync.WaitGroup
	results := make([]int, 5)
	for i := 0; i < 5; i++ {
		go worker(i, results, &wg)
	}
	wg.Wait()
	fmt.Println(results)
}
