// Run with GOMAXPROCS=2: three CPU-bound goroutines keep both Ps busy while
// four others sleep in a system call again and again. Sysmon hands a
// sleeper's P to a waiting spinner, so the sleeper comes back to no idle P:
// exitsyscall's slow path puts it on the global queue.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var stop atomic.Bool
	var spins sync.WaitGroup
	for i := 0; i < 3; i++ {
		spins.Add(1)
		go func() {
			defer spins.Done()
			for n := 0; !stop.Load(); n++ {
			}
		}()
	}
	var sleepers sync.WaitGroup
	for i := 0; i < 4; i++ {
		sleepers.Add(1)
		go func() {
			defer sleepers.Done()
			ts := syscall.Timespec{Nsec: int64(2 * time.Millisecond)}
			for j := 0; j < 40; j++ {
				syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	sleepers.Wait()
	stop.Store(true)
	spins.Wait()
	fmt.Println("sysexit done")
}
