package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var locked, done sync.WaitGroup
	locked.Add(2)
	done.Add(2)
	go func() {
		defer done.Done()
		a.Lock()
		locked.Done()
		locked.Wait() // both hold their first lock now
		b.Lock()
		fmt.Println("first has both")
		b.Unlock()
		a.Unlock()
	}()
	go func() {
		defer done.Done()
		b.Lock()
		locked.Done()
		locked.Wait()
		a.Lock()
		fmt.Println("second has both")
		a.Unlock()
		b.Unlock()
	}()
	done.Wait()
}
