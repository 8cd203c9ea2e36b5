package main

import (
	"fmt"
	"sync/atomic"
)

// n keeps the loop honest: an empty `for {}` compiles to a jump that Go's
// line table puts on line 1, so a stack dump would not name the loop.
var n atomic.Int64

func main() {
	fmt.Println("spinning")
	for {
		n.Add(1) // the loop
	}
}
