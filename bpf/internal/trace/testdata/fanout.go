// Fan-out: 64 goroutines each sum their part of a slice, a fixed amount of
// work with few scheduler events.
package main

import (
	"fmt"
	"sync"
)

func main() {
	data := make([]uint32, 1<<20)
	for i := range data {
		data[i] = uint32(i*2654435761) % 1000
	}
	const workers = 64
	sums := make([]uint64, workers)
	part := len(data) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 150 {
				for _, v := range data[w*part : (w+1)*part] {
					sums[w] += uint64(v) * uint64(round+1)
				}
			}
		}()
	}
	wg.Wait()
	var total uint64
	for _, s := range sums {
		total += s
	}
	fmt.Println("total", total)
}
