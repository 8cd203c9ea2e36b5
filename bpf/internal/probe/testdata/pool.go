// A worker pool: 8 workers take 3,000 small jobs from one channel and send
// their results to another.
package main

import (
	"fmt"
	"sync"
)

func work(n int) int {
	s := 0
	for i := 0; i < 200; i++ {
		s += n * i
	}
	return s
}

func main() {
	jobs, results := make(chan int, 16), make(chan int, 16)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- work(j)
			}
		}()
	}
	go func() {
		for j := 0; j < 3000; j++ {
			jobs <- j
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println(sum)
}
