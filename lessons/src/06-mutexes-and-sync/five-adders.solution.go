package main

import (
	"fmt"
	"sync"
	"time"
)

var mu sync.Mutex
var total int

func add(wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	total++
	mu.Unlock()
	time.Sleep(time.Millisecond)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go add(&wg)
	}
	wg.Wait()
	fmt.Println("total", total)
}
