// Right: one Gosched before the relay; the logger has one line to write, so one turn is all it needs.
package main

import (
	"fmt"
	"runtime"
)

// logger has one line to write, and is runnable from the moment it is created.
func logger(done chan<- bool) {
	fmt.Println("logger ran")
	done <- true
}

// echo sends every ball straight back.
func echo(ping <-chan int, pong chan<- int) {
	for ball := range ping {
		pong <- ball
	}
}

func main() {
	runtime.Gosched() // once, first: start on a fresh time slice (see the text)
	ping, pong := make(chan int), make(chan int)
	done := make(chan bool)
	go logger(done)
	go echo(ping, pong)
	runtime.Gosched() // once, before the relay starts: logger runs while main waits in the global queue
	for i := 0; i < 20; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	fmt.Println("relay done")
	<-done
}
