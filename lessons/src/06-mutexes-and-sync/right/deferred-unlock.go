// Right: the critical section is a closure with a deferred Unlock, and add sleeps after it.
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
	func() {
		mu.Lock()
		defer mu.Unlock()
		total++
	}()
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
