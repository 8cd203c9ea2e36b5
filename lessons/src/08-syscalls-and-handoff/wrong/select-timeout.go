// Misconception: a different system call, one with a timeout, does not hold a thread.
// Fails: no-syscall-wait
// Hint names: a select with a timeout
package main

import (
	"fmt"
	"sync"
	"syscall"
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
	tv := syscall.NsecToTimeval(int64(50 * time.Millisecond))
	syscall.Select(0, nil, nil, nil, &tv) // sleeps in the kernel
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
