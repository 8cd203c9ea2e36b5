// Goroutines that wait for different things, for the comparison of the two
// backends: a channel send, a select, a mutex, a sleep, a WaitGroup.
package main

import (
	"sync"
	"time"
)

func sender(ch chan<- int) { ch <- 1 } // line 10: chan send

func selector(a, b chan int) {
	select { // line 13: select
	case <-a:
	case <-b:
	}
}

func locker(mu *sync.Mutex, wg *sync.WaitGroup) {
	mu.Lock() // line 20: sync.Mutex.Lock
	mu.Unlock()
	wg.Done()
}

func sleeper(wg *sync.WaitGroup) {
	time.Sleep(50 * time.Millisecond) // line 26: sleep (main waits for it at line 44)
	wg.Done()
}

func main() {
	ch, a, b := make(chan int), make(chan int), make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	mu.Lock()
	wg.Add(2)
	go sender(ch)       // line 36
	go selector(a, b)   // line 37
	go locker(&mu, &wg) // line 38
	go sleeper(&wg)     // line 39
	time.Sleep(20 * time.Millisecond)
	<-ch
	a <- 1
	mu.Unlock()
	wg.Wait() // line 44
}
