// Misconception: making second wait for first makes first run first.
// Fails: first-runs-first
// Hint names: making second wait for first
package main

import "fmt"

func first(done chan string, go2 chan bool) {
	done <- "first"
	close(go2)
}

func second(done chan string, go2 chan bool) {
	<-go2
	done <- "second"
}

func main() {
	done := make(chan string)
	go2 := make(chan bool)
	go first(done, go2)
	go second(done, go2)
	fmt.Println(<-done)
	fmt.Println(<-done)
}
