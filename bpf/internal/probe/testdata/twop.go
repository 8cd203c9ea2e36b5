// Run with GOMAXPROCS=2: CPU-bound goroutines that an idle P steals, and a
// blocking system call. Each spinner is shorter than sysmon's 10 ms slice,
// so none is preempted to the global queue, which an idle P would take from
// before it steals.
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
		go spin(&wg)
	}
	wg.Wait()
	// A blocking system call, long enough (50 ms) for sysmon to retake
	// the P (it does after 10 ms when there is an idle P).
	ts := syscall.Timespec{Nsec: 50_000_000}
	syscall.Nanosleep(&ts, nil)
}
