package main

import (
	"fmt"
	"sync"
	"time"
)

const adders = 5

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
	for i := 0; i < adders; i++ {
		wg.Add(1)
		go add(&wg)
	}
	wg.Wait()
	fmt.Println("total", total)
}
