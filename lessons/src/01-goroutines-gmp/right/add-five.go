// Right: one wg.Add(5) before the loop counts all five workers at once.
package main

import (
	"fmt"
	"sync"
)

func work(n int, wg *sync.WaitGroup) {
	fmt.Println("worker", n, "says hi")
	wg.Done()
}

func main() {
	var wg sync.WaitGroup
	wg.Add(5)
	for i := 1; i <= 5; i++ {
		go work(i, &wg)
	}
	wg.Wait()
	fmt.Println("all done")
}
