package main

import (
	"fmt"
	"sync"
)

func worker(id int, wg *sync.WaitGroup) {
	wg.Add(1) // too late: main may already be past wg.Wait()
	defer wg.Done()
	fmt.Println("worker", id, "done")
}

func main() {
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		go worker(i, &wg)
	}
	wg.Wait()
	fmt.Println("all done")
}
