// Misconception: calling runtime.GC() is a way to make the runtime collect on its own.
// Fails: not-forced
// Hint names: remove runtime.GC()
package main

import (
	"fmt"
	"runtime"
)

var last []byte

func main() {
	for i := 0; i < 10; i++ {
		last = make([]byte, 1024)
	}
	runtime.GC()
	fmt.Println("last buffer has", len(last), "bytes")
}
