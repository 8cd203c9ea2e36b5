// Misconception: a goroutine that has yielded a few times has been polite enough.
// Fails: gives-way
// Hint names: inside the loop, not before it
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func spin(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	for k := 0; k < 10; k++ {
		runtime.Gosched()
	}
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
	wg.Wait()
}
