// Misconception: yielding once in main lets first go ahead, and that is the same as reordering.
// Fails: only-order
// Hint names: runtime.Gosched in main
package main

import (
	"fmt"
	"runtime"
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
	runtime.Gosched()
	go second(done)
	fmt.Println(<-done)
	fmt.Println(<-done)
}
