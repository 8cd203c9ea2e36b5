// Right: one unbuffered channel is the ball; ping serves first and each line is followed by a pass.
package main

import (
	"fmt"
	"sync"
)

func say(name string, ball chan bool, serves bool, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 1; i <= 3; i++ {
		if !serves {
			<-ball
		}
		fmt.Println(name, i)
		ball <- true
		if serves {
			<-ball
		}
	}
}

func main() {
	var wg sync.WaitGroup
	ball := make(chan bool)
	wg.Add(2)
	go say("ping", ball, true, &wg)
	go say("pong", ball, false, &wg)
	wg.Wait()
}
