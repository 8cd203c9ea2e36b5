// Misconception: any allocation in a loop makes garbage, even arrays in local variables.
// Fails: gc-ran
// Hint names: stay on the stack
package main

import "fmt"

var total int

func fill(i int) {
	var buf [64 << 10]byte
	buf[i%len(buf)] = byte(i)
	total += int(buf[i%len(buf)])
}

func main() {
	for i := 0; i < 200; i++ {
		fill(i)
	}
	fmt.Println("filled 200 buffers on the stack", total > 0)
}
