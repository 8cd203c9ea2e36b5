// Misconception: once the goroutines exist, the other P steals and runs them whether or not main waits.
// Fails: all-done
// Hint names: when main returns, the others are cut off
package main

import "fmt"

var sink [8]int

func spin(i int) {
	for j := 0; j < 10000000; j++ {
		sink[i%8] += j
	}
}

func main() {
	for i := 0; i < 16; i++ {
		go spin(i)
	}
	fmt.Println("started", len(sink))
}
