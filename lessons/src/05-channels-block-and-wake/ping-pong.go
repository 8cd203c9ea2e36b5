package main

import "fmt"

func ponger(ping, pong chan int) {
	for v := range ping {
		pong <- v + 1
	}
	close(pong)
}

func main() {
	ping, pong := make(chan int), make(chan int)
	go ponger(ping, pong)
	for i := 0; i < 3; i++ {
		ping <- i
		fmt.Println("got", <-pong)
	}
	close(ping)
}
