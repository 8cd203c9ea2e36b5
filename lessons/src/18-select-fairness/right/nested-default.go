// Right: the second select sits in the first one's default, so no continue is needed.
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
		default:
			select {
			case j := <-urgent:
				fmt.Println("urgent", j)
			case j := <-normal:
				fmt.Println("normal", j)
			}
		}
	}
}
