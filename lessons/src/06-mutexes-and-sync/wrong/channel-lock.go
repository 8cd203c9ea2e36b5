// Misconception: the waiting comes from sync.Mutex itself; a channel used as a lock would not make anyone wait.
// Fails: no-lock-wait
// Hint names: a channel used as a lock
package main

import (
	"fmt"
	"sync"
	"time"
)

const adders = 5

var mu sync.Mutex
var sem = make(chan struct{}, 1)
var total int

func add(wg *sync.WaitGroup) {
	defer wg.Done()
	sem <- struct{}{}
	mu.Lock()
	total++
	mu.Unlock()
	time.Sleep(time.Millisecond)
	<-sem
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
