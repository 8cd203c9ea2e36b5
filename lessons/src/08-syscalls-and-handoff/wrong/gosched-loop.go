// Misconception: yielding until the time is up is a polite way to wait.
// Fails: parks
// Hint names: or that calls runtime.Gosched
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func counter(wg *sync.WaitGroup) {
	defer wg.Done()
	n := 0
	for i := 0; i < 20000000; i++ {
		n += i
	}
	fmt.Println("counted", n > 0)
}

func sleeper(wg *sync.WaitGroup) {
	defer wg.Done()
	start := time.Now()
	for time.Since(start) < 50*time.Millisecond {
		runtime.Gosched()
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
