// Right: each worker sends its result on a buffered channel; main adds them up, nothing shared.
package main

import (
	"fmt"
	"sync"
)

// work is the CPU's part: a fixed amount of arithmetic.
func work(seed int) int {
	x := seed
	for i := 0; i < 60_000_000; i++ {
		x = x*31 + i
	}
	return x & 0xff
}

func main() {
	results := make(chan int, 6)
	var wg sync.WaitGroup
	for i := 1; i <= 6; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			results <- work(id)
		}(i)
	}
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r
	}
	fmt.Println("total", total)
}
