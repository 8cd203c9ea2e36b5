// Misconception: yielding once before wg.Wait() lets the workers add themselves in time.
// Fails: no-yield
// Hint names: runtime.Gosched
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func worker(i int, results []int, wg *sync.WaitGroup) {
	wg.Add(1)
	defer wg.Done()
	results[i] = i * i
}

func main() {
	var wg sync.WaitGroup
	results := make([]int, 5)
	for i := 0; i < 5; i++ {
		go worker(i, results, &wg)
	}
	runtime.Gosched()
	wg.Wait()
	fmt.Println(results)
}
