// Right: each count reports on a buffered channel, and main receives four reports.
package main

import "fmt"

var sink [4]int

func count(i int, done chan<- bool) {
	for j := 0; j < 30000000; j++ {
		sink[i] += j
	}
	done <- true
}

func main() {
	done := make(chan bool, 4)
	for i := 0; i < 4; i++ {
		go count(i, done)
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	fmt.Println("done", sink[0] > 0)
}
