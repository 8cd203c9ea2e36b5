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
	fmt.Println(<-done)
	fmt.Println(<-done)
}
