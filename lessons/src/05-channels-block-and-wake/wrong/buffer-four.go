// Misconception: a buffer smaller than the five values (4) is enough to make the producer wait.
// Fails: send-parks
// Hint names: a buffer of 4 never fills
package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 5; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	ch := make(chan int, 4)
	go producer(ch)
	for v := range ch {
		fmt.Println("got", v)
	}
}
