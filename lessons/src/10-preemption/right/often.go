// Right: yields ten times as often, every 100,000 turns of the loop.
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
		if i%100000 == 99999 {
			runtime.Gosched()
		}
	}
	fmt.Println(name, "done", x > 0)
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go spin("a", &wg)
	go spin("b", &wg)
	wg.Wait()
}
