// Misconception: a select with a default case is a send that waits when the channel is full.
// Fails: send-parks
// Hint names: A select with a default case never parks
package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 5; i++ {
		select {
		case ch <- i:
		default:
		}
	}
	close(ch)
}

func main() {
	ch := make(chan int)
	go producer(ch)
	for v := range ch {
		fmt.Println("got", v)
	}
}
