// Right: main starts first and receives its name before it starts second.
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
	go first(done)
	fmt.Println(<-done)
	go second(done)
	fmt.Println(<-done)
}
