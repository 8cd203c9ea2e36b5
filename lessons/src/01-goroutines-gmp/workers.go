package main

import "fmt"

func work(n int) {
	fmt.Println("worker", n, "says hi")
}

func main() {
	for i := 1; i <= 5; i++ {
		work(i)
	}
	fmt.Println("all done")
}
