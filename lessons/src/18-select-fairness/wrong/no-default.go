// Misconception: taking from urgent first in each turn needs no default; it waits forever once urgent is empty.
// Fails: clean-exit
// Hint names: default case
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
			continue
		}
		select {
		case j := <-normal:
			fmt.Println("normal", j)
		case j := <-urgent:
			fmt.Println("urgent", j)
		}
	}
}
