// Misconception: sixteen goroutines give the other P work to steal, even if main waits for each one in turn.
// Fails: both-ps, stolen
// Hint names: a wg.Wait() inside the loop
package main

import (
	"fmt"
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
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go spin(i, &wg)
		wg.Wait()
	}
	fmt.Println("done", sink[0] > 0)
}
