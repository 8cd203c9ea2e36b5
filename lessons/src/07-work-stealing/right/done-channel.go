// Right: sixteen spin goroutines that report on a buffered channel; main receives sixteen reports.
package main

import "fmt"

var sink [16]int

func spin(i int, done chan<- bool) {
	for j := 0; j < 10000000; j++ {
		sink[i] += j
	}
	done <- true
}

func main() {
	done := make(chan bool, 16)
	for i := 0; i < 16; i++ {
		go spin(i, done)
	}
	for i := 0; i < 16; i++ {
		<-done
	}
	fmt.Println("done", sink[0] > 0)
}
