package main

import (
	"fmt"
	"time"
)

func main() {
	// A heartbeat: a goroutine that sleeps a while, as a ticker or a timeout would.
	go func() {
		time.Sleep(300 * time.Millisecond)
		fmt.Println("heartbeat: done")
	}()
	results := make(chan int)
	fmt.Println(<-results) // nobody ever sends on results
}
