// Right: the reference's time.Sleep, plus a fmt.Println in sleeper (a quick system call, not a wait).
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
	time.Sleep(50 * time.Millisecond) // parks: no thread is blocked
	fmt.Println("slept")
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
