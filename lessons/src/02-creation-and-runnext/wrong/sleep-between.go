// Misconception: a short sleep after starting first is a fine way to order them.
// Fails: only-order
// Hint names: time.Sleep or runtime.Gosched in main
package main

import (
	"fmt"
	"time"
)

func first(done chan string) {
	done <- "first"
}

func second(done chan string) {
	done <- "second"
}

func main() {
	done := make(chan string)
	go first(done)
	time.Sleep(time.Millisecond)
	go second(done)
	fmt.Println(<-done)
	fmt.Println(<-done)
}
