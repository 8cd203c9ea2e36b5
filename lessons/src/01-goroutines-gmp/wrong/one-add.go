// Misconception: one wg.Add(1) is enough for all five workers.
// Fails: clean-exit, workers-finished
// Hint names: wg.Add(1) before each go
package main

import (
	"fmt"
	"sync"
)

func work(n int, wg *sync.WaitGroup) {
	defer wg.Done()
	fmt.Println("worker", n, "says hi")
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 1; i <= 5; i++ {
		go work(i, &wg)
	}
	wg.Wait()
	fmt.Println("all done")
}
