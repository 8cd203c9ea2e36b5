// Right: add sleeps first and then takes the lock only for total++.
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
	time.Sleep(time.Millisecond)
	mu.Lock()
	total++
	mu.Unlock()
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
