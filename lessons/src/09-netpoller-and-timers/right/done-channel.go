// Right: each nap sleeps and then reports on a buffered channel; main receives ten reports.
package main

import (
	"fmt"
	"time"
)

func nap(i int, done chan<- int) {
	time.Sleep(20 * time.Millisecond)
	done <- i
}

func main() {
	start := time.Now()
	done := make(chan int, 10)
	for i := 0; i < 10; i++ {
		go nap(i, done)
	}
	for i := 0; i < 10; i++ {
		<-done
	}
	fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
