package main

import (
	"fmt"
	"sync"
)

// say prints each of its lines when it holds the turn, then hands the turn on.
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
	// Room for the one turn, so the last hand-over does not wait for a taker.
	pingTurn := make(chan bool, 1)
	pongTurn := make(chan bool, 1)
	wg.Add(2)
	go say("ping", pingTurn, pongTurn, &wg)
	go say("pong", pongTurn, pingTurn, &wg)
	pingTurn <- true // ping goes first
	wg.Wait()
}
