// Misconception: goroutines started with go always get to run before the program ends.
// Fails: workers-finished, main-waited
// Hint names: when main returns, the program ends
// Backends: ebpf (the trace backend stops its tracer after main returns, which gives the workers time to run)
package main

import "fmt"

func work(n int) {
	fmt.Println("worker", n, "says hi")
}

func main() {
	for i := 1; i <= 5; i++ {
		go work(i)
	}
	fmt.Println("all done")
}
