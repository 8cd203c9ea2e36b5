// For stepline: main calls a worker whose loop runs a few lines.
package main

import "fmt"

func work(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += i
		total *= 3
		total %= 1000003
	}
	return total
}

func main() {
	fmt.Println(work(40))
}
