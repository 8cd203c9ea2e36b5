// Right: a semaphore of two lets at most two counts run at once: as many as there are Ps.
package main

import (
	"fmt"
	"sync"
)

var sink [4]int

var slots = make(chan struct{}, 2)

func count(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	slots <- struct{}{}
	defer func() { <-slots }()
	for j := 0; j < 30000000; j++ {
		sink[i] += j
	}
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go count(i, &wg)
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
