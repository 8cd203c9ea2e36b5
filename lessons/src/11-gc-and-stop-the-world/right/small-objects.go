// Right: a million small slices instead of 200 big buffers.
package main

import "fmt"

var last []byte

func main() {
	for i := 0; i < 1000000; i++ {
		last = make([]byte, 64)
	}
	fmt.Println("last buffer has", len(last), "bytes")
}
