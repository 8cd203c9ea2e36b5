// A busy owner (issue 15): one goroutine owns a table and 100 clients ask it
// for one second, each waiting for its answer before asking again. It makes
// events as fast as the scheduler can switch goroutines, for a fixed time.
package main

import (
	"fmt"
	"sync"
	"time"
)

type ask struct {
	key    int
	answer chan int
}

func main() {
	asks := make(chan ask)
	go func() {
		table := map[int]int{}
		for a := range asks {
			table[a.key]++
			a.answer <- table[a.key]
		}
	}()
	until := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	served := make([]int, 100)
	for c := range served {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answer := make(chan int)
			for time.Now().Before(until) {
				asks <- ask{c % 7, answer}
				<-answer
				served[c]++
			}
		}()
	}
	wg.Wait()
	close(asks)
	for _, n := range served {
		if n == 0 {
			fmt.Println("a client was never served")
			return
		}
	}
	fmt.Println("every client served")
}
