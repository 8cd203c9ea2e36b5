// Tasks, nested regions and logs of runtime/trace's API, on several
// goroutines: both backends must say the same of them.
package main

import (
	"context"
	"fmt"
	"runtime/trace"
	"sync"
)

func fetch(ctx context.Context, n int) int {
	sum := 0
	trace.WithRegion(ctx, "fetch", func() {
		for i := 0; i < n; i++ {
			sum += i
		}
		trace.Log(ctx, "rows", fmt.Sprint(n))
	})
	return sum
}

func handle(ctx context.Context, id int, wg *sync.WaitGroup, out []int) {
	defer wg.Done()
	ctx, task := trace.NewTask(ctx, fmt.Sprintf("request %d", id))
	defer task.End()
	trace.WithRegion(ctx, "handle", func() {
		out[id] = fetch(ctx, 1000*(id+1))
		r := trace.StartRegion(ctx, "store")
		trace.Log(ctx, "stage", "stored")
		r.End()
	})
}

func main() {
	ctx, task := trace.NewTask(context.Background(), "batch")
	// A region around the work of other goroutines.
	r := trace.StartRegion(ctx, "fan out")
	var wg sync.WaitGroup
	out := make([]int, 3)
	for i := range out {
		wg.Add(1)
		go handle(ctx, i, &wg, out)
	}
	wg.Wait()
	r.End()
	trace.Log(ctx, "result", fmt.Sprint(out))
	task.End()
	trace.Log(context.Background(), "", "done")
	fmt.Println(out)
}
