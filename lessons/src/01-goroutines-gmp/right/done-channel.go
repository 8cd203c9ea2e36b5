// Right: each worker reports on a buffered channel (its send never blocks), and main receives five reports.
package main

import "fmt"

func work(n int, done chan<- int) {
	fmt.Println("worker", n, "says hi")
	done <- n
}

func main() {
	done := make(chan int, 5)
	for i := 1; i <= 5; i++ {
		go work(i, done)
	}
	for i := 1; i <= 5; i++ {
		<-done
	}
	fmt.Println("all done")
}
