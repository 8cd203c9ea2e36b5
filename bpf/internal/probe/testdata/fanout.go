// Fan-out in waves: 5 times, 200 goroutines each do a little work while the
// other P steals from the one that makes them. (Fewer than a local run queue
// holds: the probes report an overflow at runqputslow's entry, and when a
// steal makes it fail the put goes to the local queue after all.)
package main

import (
	"fmt"
	"sync"
)

var sink [200]int

func main() {
	for wave := 0; wave < 5; wave++ {
		var wg sync.WaitGroup
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 2000; j++ {
					sink[i] += j
				}
			}()
		}
		wg.Wait()
	}
	fmt.Println(sink[0])
}
