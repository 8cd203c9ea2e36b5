// Misconception: unbuffered turn channels are enough; the last hand-over then has no taker.
// Fails: clean-exit
// Hint names: the last hand-over
package main

import (
	"fmt"
	"sync"
)

func say(name string, mine, next chan bool, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 1; i <= 3; i++ {
		<-mine
		fmt.Println(name, i)
		next <- true
	}
}

func main() {
	var wg sync.WaitGroup
	pingTurn := make(chan bool)
	pongTurn := make(chan bool)
	wg.Add(2)
	go say("ping", pingTurn, pongTurn, &wg)
	go say("pong", pongTurn, pingTurn, &wg)
	pingTurn <- true
	wg.Wait()
}
