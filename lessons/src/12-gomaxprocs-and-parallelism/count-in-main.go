package main

import "fmt"

var sink [4]int

func count(i int) {
	for j := 0; j < 30000000; j++ {
		sink[i] += j
	}
}

func main() {
	for i := 0; i < 4; i++ {
		count(i)
	}
	fmt.Println("done", sink[0] > 0)
}
