package main

import (
	"fmt"
	"sync"
)

func say(word string, wg *sync.WaitGroup) {
	defer wg.Done()
	fmt.Println(word)
}

func main() {
	var wg sync.WaitGroup
	wg.Add(3)
	go say("one", &wg)
	go say("two", &wg)
	go say("three", &wg)
	wg.Wait()
}
