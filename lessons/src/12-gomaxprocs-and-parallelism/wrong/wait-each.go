// Misconception: four goroutines are parallel even if main waits for each before starting the next.
// Fails: parallel
// Hint names: a wg.Wait() inside the loop
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
		wg.Wait()
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
