// Misconception: calling runtime.Gosched in main makes the goroutines take turns.
// Fails: yields
// Hint names: a Gosched in main
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func spin(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	x := 0
	for i := 0; i < 100000000; i++ {
		x += i
	}
	fmt.Println(name, "done", x > 0)
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go spin("a", &wg)
	go spin("b", &wg)
	for k := 0; k < 100; k++ {
		runtime.Gosched()
	}
	wg.Wait()
}
