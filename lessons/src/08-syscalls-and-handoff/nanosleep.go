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
	ts := syscall.NsecToTimespec(int64(50 * time.Millisecond))
	syscall.Nanosleep(&ts, nil) // a system call that blocks its thread
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go counter(&wg)
	go sleeper(&wg)
	wg.Wait()
}
