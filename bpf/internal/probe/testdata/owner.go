// The busy owner of issue 15: 100 clients ask one owner goroutine over
// channels for a second, as fast as they can. It makes events faster than a
// reader can write them out: the recording must slow it rather than lose any.
package main

import (
	"fmt"
	"time"
)

type req struct {
	n     int
	reply chan int
}

func main() {
	requests := make(chan req)
	go func() { // the owner: the only goroutine that touches total
		total := 0
		for r := range requests {
			total += r.n
			r.reply <- total
		}
	}()
	deadline := time.Now().Add(time.Second)
	done := make(chan int)
	for c := 0; c < 100; c++ {
		go func(c int) {
			reply := make(chan int)
			calls := 0
			for time.Now().Before(deadline) {
				requests <- req{c, reply}
				<-reply
				calls++
			}
			done <- calls
		}(c)
	}
	calls := 0
	for c := 0; c < 100; c++ {
		calls += <-done
	}
	fmt.Println("clients done", calls > 0)
}
