// Misconception: time.Sleep(0) gives way like runtime.Gosched.
// Fails: yields
// Hint names: time.Sleep(0) does not yield
package main

import (
	"fmt"
	"sync"
	"time"
)

func spin(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	x := 0
	for i := 0; i < 100000000; i++ {
		x += i
		if i%1000000 == 0 {
			time.Sleep(0)
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
