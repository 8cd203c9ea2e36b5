// Misconception: the sleepers run by themselves once started; main need not wait for them.
// Fails: all-woke
// Hint names: when main returns, the sleepers are cut off
package main

import (
	"fmt"
	"time"
)

func nap(i int) {
	time.Sleep(20 * time.Millisecond)
}

func main() {
	start := time.Now()
	for i := 0; i < 10; i++ {
		go nap(i)
	}
	fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
