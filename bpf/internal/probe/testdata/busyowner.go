// A busy owner goroutine (owner.go, for 100 ms): 100 clients send it requests
// over one channel and wait for each reply. Nearly every event changes a run
// queue.
package main

import (
	"fmt"
	"sync"
	"time"
)

type request struct {
	n     int
	reply chan int
}

func main() {
	requests := make(chan request)
	go func() {
		total := 0
		for r := range requests {
			total += r.n
			r.reply <- total
		}
	}()
	var wg sync.WaitGroup
	deadline := time.Now().Add(100 * time.Millisecond)
	served := make([]int, 100)
	for i := range served {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reply := make(chan int)
			for time.Now().Before(deadline) {
				requests <- request{1, reply}
				<-reply
				served[i]++
			}
		}()
	}
	wg.Wait()
	sum := 0
	for _, n := range served {
		sum += n
	}
	fmt.Println(sum > 0)
}
