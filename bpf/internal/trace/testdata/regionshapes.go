// Region.End in the shapes the compiler gives it (inlined in a loop and in
// a deferred call, through a method value, out of line), tasks reached
// through derived contexts, and names longer than the protocol keeps, cut
// inside a character.
package main

import (
	"context"
	"runtime/trace"
	"strings"
	"time"
)

type key struct{}

//go:noinline
func deferred(ctx context.Context) {
	defer trace.StartRegion(ctx, "deferred").End()
	trace.Log(ctx, "in", "deferred")
}

func methodValue(ctx context.Context) {
	end := trace.StartRegion(ctx, "method value").End
	end()
}

func loop(ctx context.Context) {
	for i := 0; i < 3; i++ {
		r := trace.StartRegion(ctx, "loop")
		if i == 1 {
			r.End()
			continue
		}
		r.End()
	}
}

func main() {
	ctx, task := trace.NewTask(context.Background(), "shapes")
	defer task.End()
	// The task behind contexts of every kind the context package makes.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tctx, stop := context.WithTimeout(context.WithValue(cctx, key{}, 1), time.Minute)
	defer stop()
	derived := context.WithoutCancel(tctx)
	deferred(derived)
	methodValue(ctx)
	loop(cctx)
	// 127 bytes, then a 3-byte character across the limit of 128.
	long := strings.Repeat("x", 127) + "€" + "tail"
	trace.WithRegion(ctx, long, func() {
		trace.Log(ctx, long, strings.Repeat("€", 200))
	})
	_, child := trace.NewTask(derived, "child")
	child.End()
}
