// Run with GOMAXPROCS=1: creation, a channel wait at a known line, an
// overflow of the local run queue, and a GC.
package main

import (
	"runtime"
	"sync"
)

func worker(wg *sync.WaitGroup) { wg.Done() }

func main() {
	var wg sync.WaitGroup
	wg.Add(300)
	for i := 0; i < 300; i++ {
		go worker(&wg) // line 16: 300 creations without a yield overflow the 256-slot queue
	}
	wg.Wait()
	ch := make(chan int)
	go func() { ch <- 42 }()
	<-ch // line 21: main parks on "chan receive"
	runtime.GC()
}
