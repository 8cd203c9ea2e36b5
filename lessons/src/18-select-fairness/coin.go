package main

import "fmt"

func main() {
	a := make(chan int, 100)
	b := make(chan int, 100)
	for i := 0; i < 100; i++ {
		a <- i
		b <- i
	}
	// Both channels hold a value at every turn: both cases are always ready.
	for i := 0; i < 100; i++ {
		select {
		case <-a:
			fmt.Println("a")
		case <-b:
			fmt.Println("b")
		}
	}
}
