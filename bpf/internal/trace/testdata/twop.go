// Run with GOMAXPROCS=2: CPU-bound goroutines an idle P takes from the busy
// one, and a blocking system call long enough for sysmon to retake the P.
package main

import (
	"sync"
	"syscall"
)

var sink int

func spin(wg *sync.WaitGroup) {
	defer wg.Done()
	s := 0
	for i := 0; i < 2_000_000; i++ {
		s += i
	}
	sink += s
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go spin(&wg) // line 25
	}
	wg.Wait()
	ts := syscall.Timespec{Nsec: 50_000_000}
	syscall.Nanosleep(&ts, nil) // line 29
}
