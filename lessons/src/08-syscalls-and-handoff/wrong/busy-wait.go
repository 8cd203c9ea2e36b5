// Misconception: waiting is just letting time pass, so a loop that watches the clock is as good as sleeping.
// Fails: parks
// Hint names: A loop that watches the clock
package main

import (
	"fmt"
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
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
