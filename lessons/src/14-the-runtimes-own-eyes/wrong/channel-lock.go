// Misconception: a channel of one token is not a lock, so the workers do not wait for each other.
// Fails: block-in-main
// Hint names: channel used as a lock
package main

import (
	"fmt"
	"sync"
)

var (
	token = make(chan struct{}, 1)
	total int
)

// work is the CPU's part: a fixed amount of arithmetic.
func work(seed int) int {
	x := seed
	for i := 0; i < 60_000_000; i++ {
		x = x*31 + i
	}
	return x & 0xff
}

// worker takes the one token, so only it touches the total.
func worker(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	token <- struct{}{}
	total += work(id)
	<-token
}

func main() {
	var wg sync.WaitGroup
	for i := 1; i <= 6; i++ {
		wg.Add(1)
		go worker(i, &wg)
	}
	wg.Wait()
	fmt.Println("total", total)
}
