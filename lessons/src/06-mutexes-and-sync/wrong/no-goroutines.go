// Misconception: the exercise is about the sleeps and the lock, so main can do the five adds itself.
// Fails: all-sleep
// Hint names: with no goroutines, does not count
package main

import (
	"fmt"
	"sync"
	"time"
)

var mu sync.Mutex
var total int

func main() {
	for i := 0; i < 5; i++ {
		mu.Lock()
		total++
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	fmt.Println("total", total)
}
