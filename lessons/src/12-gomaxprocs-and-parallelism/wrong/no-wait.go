// Misconception: the goroutines keep counting in parallel after main returns.
// Fails: all-done, parallel
// Hint names: when main returns, the counts are cut off
package main

import (
	"fmt"
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
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go count(i, &wg)
	}
	fmt.Println("done", sink[0] > 0)
}
