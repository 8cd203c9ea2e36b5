// Misconception: with one P only one goroutine runs at a time, so they take turns.
// Fails: alternate
// Hint names: runtime.GOMAXPROCS(1)
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func say(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 1; i <= 3; i++ {
		fmt.Println(name, i)
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	wg.Add(2)
	go say("ping", &wg)
	go say("pong", &wg)
	wg.Wait()
}
