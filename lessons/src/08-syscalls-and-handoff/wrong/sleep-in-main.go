// Misconception: the program only has to take 50 ms longer; who sleeps does not matter.
// Fails: parks
// Hint names: sleeping in main does not make sleeper wait
package main

import (
	"fmt"
	"sync"
	"time"
)

func counter(wg *sync.WaitGroup) {
	defer wg.Done()
	n := 0
	for i := 0; i < 20000000; i++ {
		n += i
	}
	fmt.Println("counted", n > 0)
}

func sleeper(wg *sync.WaitGroup) {
	defer wg.Done()
	fmt.Println("sleeper has nothing to do")
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	time.Sleep(50 * time.Millisecond)
	wg.Wait()
}
