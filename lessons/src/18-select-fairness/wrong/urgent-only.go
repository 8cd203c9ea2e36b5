// Misconception: priority means handling the urgent jobs; the normal ones can wait for another program.
// Fails: all-jobs
// Hint names: after urgent is empty
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
	for done := 0; done < jobs; done++ {
		select {
		case j := <-urgent:
			fmt.Println("urgent", j)
		default:
		}
	}
}
