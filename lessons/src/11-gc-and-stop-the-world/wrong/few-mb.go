// Misconception: a couple of megabytes of garbage is plenty for a collection.
// Fails: gc-ran
// Hint names: a few MB are not enough
// Backends: ebpf (the trace backend's own allocations can start a GC the plain program never has)
package main

import "fmt"

var last []byte

func main() {
	for i := 0; i < 2; i++ {
		last = make([]byte, 1<<20)
	}
	fmt.Println("last buffer has", len(last), "bytes")
}
