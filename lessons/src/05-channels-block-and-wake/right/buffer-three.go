// Right: a buffer of three: main takes the first value at once, three fill the buffer, the fifth send parks.
package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 5; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	ch := make(chan int, 3)
	go producer(ch)
	for v := range ch {
		fmt.Println("got", v)
	}
}
