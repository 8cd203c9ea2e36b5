package main

import "fmt"

var sink [8]int

func spin(i int) {
	for j := 0; j < 10000000; j++ {
		sink[i%8] += j
	}
}

func main() {
	for i := 0; i < 16; i++ {
		spin(i)
	}
	fmt.Println("done", sink[0] > 0)
}
