// Misconception: sleeping in main is a way to wait for the workers.
// Fails: no-guessing
// Hint names: time.Sleep only guesses
package main

import (
	"fmt"
	"time"
)

func work(n int) {
	fmt.Println("worker", n, "says hi")
}

func main() {
	for i := 1; i <= 5; i++ {
		go work(i)
	}
	time.Sleep(100 * time.Millisecond)
	fmt.Println("all done")
}
