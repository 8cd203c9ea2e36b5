package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		// Go 1.25+: wg.Go adds 1, then starts the goroutine, which calls Done when the function returns.
		wg.Go(func() {
			fmt.Println("worker", i, "done")
		})
	}
	wg.Wait()
	fmt.Println("all done")
}
