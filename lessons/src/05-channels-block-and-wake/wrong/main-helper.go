// Misconception: any goroutine parking on a send will do, so main can park sending to a helper.
// Fails: send-parks
// Hint names: It is producer that must park
package main

import "fmt"

func producer(ch chan int) {
	for i := 0; i < 5; i++ {
		ch <- i
	}
	close(ch)
}

func helper(in chan int) {
	for v := range in {
		fmt.Println("helper got", v)
	}
}

func main() {
	ch := make(chan int, 10)
	go producer(ch)
	in := make(chan int)
	go helper(in)
	for v := range ch {
		in <- v
	}
	close(in)
}
