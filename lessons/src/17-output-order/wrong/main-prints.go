// Misconception: the order is what matters, so main can print the lines itself.
// Fails: goroutines-print
// Hint names: printing from main
package main

import "fmt"

func main() {
	for i := 1; i <= 3; i++ {
		fmt.Println("ping", i)
		fmt.Println("pong", i)
	}
}
