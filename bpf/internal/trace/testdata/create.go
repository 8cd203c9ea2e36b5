// Creation, a channel wait at a known line, a mutex, and a GC.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func worker(wg *sync.WaitGroup) { wg.Done() }

func main() {
	var wg sync.WaitGroup
	wg.Add(50)
	for i := 0; i < 50; i++ {
		go worker(&wg) // line 16: 50 creations
	}
	wg.Wait()
	ch := make(chan int)
	go func() { ch <- 42 }() // line 20
	fmt.Println(<-ch)        // line 21: main parks on "chan receive"
	runtime.GC()
	fmt.Println("done")
}
