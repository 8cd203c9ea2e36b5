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
		nap(i)
	}
	fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
