// Right: the loop calls a small helper every half a million turns, and the helper yields.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func pause(i int) {
	if i%500000 == 0 {
		runtime.Gosched() // give way: let the other goroutine run
	}
}

func spin(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	x := 0
	for i := 0; i < 100000000; i++ {
		x += i
		pause(i)
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
