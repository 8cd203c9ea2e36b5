// Right: one wg.Add(16) before the loop, and a local sum in each spin.
package main

import (
	"fmt"
	"sync"
)

var sink [16]int

func spin(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	sum := 0
	for j := 0; j < 10000000; j++ {
		sum += j
	}
	sink[i] = sum
}

func main() {
	var wg sync.WaitGroup
	wg.Add(16)
	for i := 0; i < 16; i++ {
		go spin(i, &wg)
	}
	wg.Wait()
	fmt.Println("done", sink[0] > 0)
}
