package main

import (
	"fmt"
	"sync"
)

func say(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 1; i <= 3; i++ {
		fmt.Println(name, i)
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go say("ping", &wg)
	go say("pong", &wg)
	wg.Wait()
}
