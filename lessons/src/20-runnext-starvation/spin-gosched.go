package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

var ready atomic.Bool

// waiter waits for the flag by yielding again and again instead of blocking.
func waiter(done chan<- bool) {
	for !ready.Load() {
		runtime.Gosched()
	}
	fmt.Println("waiter saw the flag")
	done <- true
}

// worker waits 10 ms (standing for a disk or a network), then sets the flag.
func worker() {
	time.Sleep(10 * time.Millisecond)
	fmt.Println("worker done")
	ready.Store(true)
}

func main() {
	done := make(chan bool)
	go worker()
	go waiter(done)
	<-done
}
