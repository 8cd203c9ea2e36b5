package main

import (
	"fmt"
	"runtime"
)

func main() {
	var keep [][]byte
	for i := 0; i < 10; i++ {
		keep = append(keep, make([]byte, 1<<20))
	}
	runtime.GC()
	fmt.Println("kept", len(keep), "MB")
}
