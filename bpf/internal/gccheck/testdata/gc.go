// GC cycles started both ways: four goroutines allocating at once, so that
// several reach the heap's trigger together and call gcStart (only one
// starts the cycle), then runtime.GC twice.
package main

import (
	"runtime"
	"sync"
)

var sinks [4][][]byte

func main() {
	var wg sync.WaitGroup
	for g := range sinks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				sinks[g] = append(sinks[g], make([]byte, 512))
				if len(sinks[g]) == 2000 {
					sinks[g] = nil
				}
			}
		}()
	}
	wg.Wait()
	runtime.GC()
	runtime.GC()
}
