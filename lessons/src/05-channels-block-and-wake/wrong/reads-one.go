// Misconception: once the producer has parked, the exercise is done; main can stop receiving.
// Fails: send-woken, all-flowed
// Hint names: keep receiving until
package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 5; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	ch := make(chan int)
	go producer(ch)
	fmt.Println("got", <-ch)
}
