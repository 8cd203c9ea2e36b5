// Misconception: more goroutines are what makes a program parallel, however many Ps there are.
// Fails: parallel
// Hint names: runtime.GOMAXPROCS(1)
package main

import (
	"fmt"
	"runtime"
	"sync"
)

var sink [4]int

func count(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := 0; j < 30000000; j++ {
		sink[i] += j
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go count(i, &wg)
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
