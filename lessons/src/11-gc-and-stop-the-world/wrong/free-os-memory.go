// Misconception: debug.FreeOSMemory() only returns memory to the OS; it is not a forced collection.
// Fails: not-forced
// Hint names: debug.FreeOSMemory, which calls it
package main

import (
	"fmt"
	"runtime/debug"
)

var last []byte

func main() {
	for i := 0; i < 10; i++ {
		last = make([]byte, 1024)
	}
	debug.FreeOSMemory()
	fmt.Println("last buffer has", len(last), "bytes")
}
