// Misconception: the case written first has priority, so putting urgent first is enough.
// Fails: urgent-first
// Hint names: the order in which the cases are written
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
	for done := 0; done < 2*jobs; done++ {
		select {
		case j := <-urgent:
			fmt.Println("urgent", j)
		case j := <-normal:
			fmt.Println("normal", j)
		}
	}
}
