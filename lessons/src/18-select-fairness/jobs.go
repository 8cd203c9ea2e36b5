package main

import "fmt"

const jobs = 20

func main() {
	urgent := make(chan int, jobs)
	normal := make(chan int, jobs)
	for i := 1; i <= jobs; i++ {
		normal <- i
		urgent <- i
	}
	// Handle every job, but each urgent one before any normal one.
	for done := 0; done < 2*jobs; done++ {
		select {
		case j := <-normal:
			fmt.Println("normal", j)
		case j := <-urgent:
			fmt.Println("urgent", j)
		}
	}
}
