package main

import "fmt"

var last []byte

func main() {
	for i := 0; i < 200; i++ {
		last = make([]byte, 1<<20)
	}
	fmt.Println("last buffer has", len(last), "bytes")
}
