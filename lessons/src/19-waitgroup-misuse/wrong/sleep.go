// Misconception: a short sleep before wg.Wait() gives the workers time to call Add.
// Fails: no-yield
// Hint names: time.Sleep
package main

import (
	"fmt"
	"sync"
	"time"
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
	time.Sleep(10 * time.Millisecond)
	wg.Wait()
	fmt.Println(results)
}
