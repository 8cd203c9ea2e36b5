// Misconception: a sleep is a sleep; a system call that sleeps is as cheap as time.Sleep.
// Fails: ten-asleep, no-threads
// Hint names: blocks a thread for each sleeper
package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"
)

func nap(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	ts := syscall.NsecToTimespec(int64(20 * time.Millisecond))
	syscall.Nanosleep(&ts, nil)
}

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go nap(i, &wg)
	}
	wg.Wait()
	fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
