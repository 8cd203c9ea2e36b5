package main

import (
	"fmt"
	"sync"
)

const n = 200

func work(wg *sync.WaitGroup) {
	wg.Done()
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go work(&wg)
	}
	wg.Wait()
	fmt.Println(n, "goroutines ran")
}
