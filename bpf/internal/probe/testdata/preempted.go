// Run with GOMAXPROCS=2: six CPU-bound goroutines, preempted by sysmon
// onto the global queue, often two at once by two Ms; and yields.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

var sink [6]uint64

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(i)
			for k := 0; k < 40_000_000; k++ {
				x = x*2862933555777941757 + 3037000493
				if k%4_000_000 == 0 {
					runtime.Gosched()
				}
			}
			sink[i] = x
		}()
	}
	wg.Wait()
	fmt.Println("preempted done")
}
