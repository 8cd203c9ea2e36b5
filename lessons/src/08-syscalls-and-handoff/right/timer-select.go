// Right: a time.NewTimer and a select on its channel, stopped after it fires.
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
	t := time.NewTimer(50 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
