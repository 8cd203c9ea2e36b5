// Misconception: sleeping between lines, pong a little later than ping, makes them take turns.
// Fails: no-waiting-game
// Hint names: time.Sleep
package main

import (
	"fmt"
	"sync"
	"time"
)

func say(name string, delay time.Duration, wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(delay)
	for i := 1; i <= 3; i++ {
		fmt.Println(name, i)
		time.Sleep(20 * time.Millisecond)
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go say("ping", 0, &wg)
	go say("pong", 10*time.Millisecond, &wg)
	wg.Wait()
}
