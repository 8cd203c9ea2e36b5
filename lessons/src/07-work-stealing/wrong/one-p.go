// Misconception: with one P there is less overhead, so it is the better setting for this work.
// Fails: both-ps, stolen
// Hint names: keep GOMAXPROCS at 2
package main

import (
	"fmt"
	"runtime"
	"sync"
)

var sink [8]int

func spin(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := 0; j < 10000000; j++ {
		sink[i%8] += j
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go spin(i, &wg)
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
