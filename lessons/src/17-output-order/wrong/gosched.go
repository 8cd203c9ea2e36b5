// Misconception: yielding after each line lets the other goroutine print its line next.
// Fails: alternate, no-waiting-game
// Hint names: runtime.Gosched
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
		runtime.Gosched()
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go say("ping", &wg)
	go say("pong", &wg)
	wg.Wait()
}
