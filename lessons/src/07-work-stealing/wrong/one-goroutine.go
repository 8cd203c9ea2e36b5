// Misconception: moving the work off main into one goroutine lets the other P share it.
// Fails: stolen, both-ps
// Hint names: one goroutine doing all the spins
package main

import (
	"fmt"
	"sync"
)

var sink [8]int

func spin(i int) {
	for j := 0; j < 10000000; j++ {
		sink[i%8] += j
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 16; i++ {
			spin(i)
		}
	}()
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
