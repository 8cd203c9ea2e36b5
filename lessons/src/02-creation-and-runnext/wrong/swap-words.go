// Misconception: the exercise is about what is printed, so first can simply send "second".
// Fails: first-runs-first
// Hint names: What the goroutines print
package main

import "fmt"

func first(done chan string) {
	done <- "second"
}

func second(done chan string) {
	done <- "first"
}

func main() {
	done := make(chan string)
	go first(done)
	go second(done)
	fmt.Println(<-done)
	fmt.Println(<-done)
}
