// Misconception: the sleep only has to happen somewhere, so main can sleep instead of add.
// Fails: all-sleep
// Hint names: sleeping in main instead
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
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < adders; i++ {
		wg.Add(1)
		go add(&wg)
	}
	time.Sleep(time.Millisecond)
	wg.Wait()
	fmt.Println("total", total)
}
