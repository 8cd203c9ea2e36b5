// Two goroutines hand a ball back and forth 3,000 times.
package main

import "fmt"

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	v := 0
	for i := 0; i < 3000; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	fmt.Println(v)
}
