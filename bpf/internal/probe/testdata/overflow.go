// Run with GOMAXPROCS=2: waves of 600 goroutines made on one P, more than
// its local queue holds, while the other P steals from it: overflows to the
// global queue, some of them raced by a steal, and batches taken back from
// the global queue.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var total atomic.Uint64
	for wave := 0; wave < 20; wave++ {
		var wg sync.WaitGroup
		for i := 0; i < 600; i++ {
			wg.Add(1)
			go func(n uint64) {
				defer wg.Done()
				for k := 0; k < 2000; k++ {
					n = n*2862933555777941757 + 3037000493
				}
				total.Add(n & 1)
			}(uint64(i))
		}
		wg.Wait()
	}
	fmt.Println("overflow done", total.Load() > 0)
}
