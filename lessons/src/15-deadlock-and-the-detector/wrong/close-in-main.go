// Misconception: closing in is all the program misses; main may keep sending the numbers itself.
// Fails: clean-exit, sum
// Hint names: another goroutine
package main

import (
	"fmt"
	"os"
	"time"
)

// square reads numbers from in until in is closed, and sends their squares on out.
func square(in <-chan int, out chan<- int) {
	for n := range in {
		out <- n * n
	}
	close(out)
}

func main() {
	go func() {
		time.Sleep(time.Second)
		fmt.Println("watchdog: stuck for a second, giving up")
		os.Exit(1)
	}()

	in := make(chan int)
	out := make(chan int)
	go square(in, out)
	for i := 1; i <= 3; i++ {
		in <- i
	}
	close(in)
	sum := 0
	for s := range out {
		sum += s
	}
	fmt.Println("sum of squares:", sum)
}
