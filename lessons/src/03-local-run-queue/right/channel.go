// Right: 800 goroutines that each report on a channel; main receives 800 reports instead of using a WaitGroup.
package main

import (
	"fmt"
	"runtime"
)

const n = 800

func work(done chan<- bool) {
	done <- true
}

func main() {
	// A fresh time slice, and an empty queue: the runtime's own goroutines still
	// queued from start-up run first (lesson 10 tells why a slice matters).
	runtime.Gosched()
	done := make(chan bool, n)
	for i := 0; i < n; i++ {
		go work(done)
	}
	for i := 0; i < n; i++ {
		<-done
	}
	fmt.Println(n, "goroutines ran")
}
