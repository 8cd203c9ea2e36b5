// Right: main hands out every turn and waits until that line is printed before the next one.
package main

import "fmt"

func say(name string, turn chan bool, printed chan bool) {
	for i := 1; i <= 3; i++ {
		<-turn
		fmt.Println(name, i)
		printed <- true
	}
}

func main() {
	pingTurn := make(chan bool)
	pongTurn := make(chan bool)
	printed := make(chan bool)
	go say("ping", pingTurn, printed)
	go say("pong", pongTurn, printed)
	for i := 1; i <= 3; i++ {
		pingTurn <- true
		<-printed
		pongTurn <- true
		<-printed
	}
}
