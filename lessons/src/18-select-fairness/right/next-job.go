// Right: a function picks the next job, urgent first, and the loop only handles it.
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
	next := func() (string, int) {
		select {
		case j := <-urgent:
			return "urgent", j
		default:
		}
		select {
		case j := <-urgent:
			return "urgent", j
		case j := <-normal:
			return "normal", j
		}
	}
	for done := 0; done < 2*jobs; done++ {
		fmt.Println(next())
	}
}
