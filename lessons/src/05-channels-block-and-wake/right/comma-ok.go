// Right: unbuffered, and main receives with v, ok := <-ch until the channel is closed, instead of range.
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
	for {
		v, ok := <-ch
		if !ok {
			break
		}
		fmt.Println("got", v)
	}
}
