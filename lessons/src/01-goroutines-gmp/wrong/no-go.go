// Misconception: a WaitGroup makes the calls concurrent; the go keyword is not needed.
// Fails: five-workers
// Hint names: without go runs it in g1
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
	for i := 1; i <= 5; i++ {
		wg.Add(1)
		work(i, &wg)
	}
	wg.Wait()
	fmt.Println("all done")
}
