// Right: second is started first, and main receives both names in a loop.
package main

import "fmt"

func first(done chan string) {
	done <- "first"
}

func second(done chan string) {
	done <- "second"
}

func main() {
	done := make(chan string)
	go second(done)
	go first(done)
	for i := 0; i < 2; i++ {
		fmt.Println(<-done)
	}
}
