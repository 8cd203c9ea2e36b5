package main

import (
	"fmt"
	"runtime"
)

// third has nothing to wait for: it is runnable from the moment it is created.
func third(done chan<- bool) {
	fmt.Println("third ran")
	done <- true
}

// partner sends every ball straight back.
func partner(ping <-chan int, pong chan<- int) {
	for ball := range ping {
		pong <- ball
	}
}

func main() {
	runtime.Gosched() // once, first: start on a fresh time slice (see the text)
	ping, pong := make(chan int), make(chan int)
	done := make(chan bool)
	go third(done)
	go partner(ping, pong)
	for i := 0; i < 20; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	fmt.Println("ping-pong done")
	<-done
}
