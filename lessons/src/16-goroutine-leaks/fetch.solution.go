package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// pending counts the mirror goroutines started and not yet finished.
var pending atomic.Int32

// first asks every mirror at once and returns the first answer.
func first(mirrors []string) string {
	// Room for every answer: the mirrors that lose the race can still send, and finish.
	answers := make(chan string, len(mirrors))
	for _, m := range mirrors {
		pending.Add(1)
		go func() {
			defer pending.Add(-1)
			answers <- "page from " + m
		}()
	}
	return <-answers
}

// main serves five requests, as a server would serve thousands.
func main() {
	mirrors := []string{"a", "b", "c", "d"}
	for i := 0; i < 5; i++ {
		first(mirrors)
	}
	fmt.Println("requests answered: 5")
	// Give the mirror goroutines up to a second to finish.
	for i := 0; i < 100 && pending.Load() > 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("mirror goroutines left:", pending.Load())
}
