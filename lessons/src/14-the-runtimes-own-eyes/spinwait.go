package main

import "fmt"

// spin keeps its P busy: arithmetic, on the CPU the whole time.
func spin(n int) int {
	x := n
	for i := 0; i < n; i++ {
		x = x*31 + i
	}
	return x & 0xff
}

// wait parks its goroutine until a value comes on the channel.
func wait(ch chan int) int {
	return <-ch
}

func main() {
	ch := make(chan int)
	done := make(chan bool)
	for i := 0; i < 3; i++ {
		go func() {
			fmt.Println("got", wait(ch))
			done <- true
		}()
	}
	for i := 0; i < 3; i++ {
		ch <- spin(40_000_000)
	}
	for i := 0; i < 3; i++ {
		<-done
	}
}
