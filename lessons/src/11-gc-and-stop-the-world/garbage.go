package main

import "fmt"

var last []byte

func main() {
	for i := 0; i < 10; i++ {
		last = make([]byte, 1024)
	}
	fmt.Println("last buffer has", len(last), "bytes")
}
