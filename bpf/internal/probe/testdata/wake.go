// Who woke whom: a receiver parked on a channel is woken by main's send;
// then main, parked in turn, by the receiver's send, and then by its
// WaitGroup.Done. Run with GOMAXPROCS=1.
package main

import (
	"sync"
	"time"
)

func receiver(ch, done chan int, wg *sync.WaitGroup) {
	v := <-ch // line 12: parks until main sends
	done <- v // line 13: wakes main
	time.Sleep(10 * time.Millisecond)
	wg.Done() // line 15: wakes main, waiting at line 26
}

func main() {
	ch, done := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go receiver(ch, done, &wg)
	time.Sleep(10 * time.Millisecond) // the receiver parks first; the timer wakes main (no goroutine does)
	ch <- 1                           // line 24: wakes the receiver
	<-done
	wg.Wait()
}
