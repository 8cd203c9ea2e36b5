package main

import (
	"fmt"
	"sync"
)

func hello(name string, wg *sync.WaitGroup) {
	defer wg.Done()
	fmt.Println("hello from", name)
}

func main() {
	var wg sync.WaitGroup
	for _, name := range []string{"ann", "bob", "cid"} {
		wg.Add(1)
		go hello(name, &wg)
	}
	wg.Wait()
	fmt.Println("main is done")
}
