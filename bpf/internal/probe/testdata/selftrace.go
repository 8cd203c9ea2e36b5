// A program that turns the execution tracer on itself for a while: then
// StartRegion and Region.End call the runtime (userRegion) as WithRegion
// does, and each region must still be said once.
package main

import (
	"context"
	"io"
	"runtime/trace"
)

func regions(ctx context.Context, name string) {
	r := trace.StartRegion(ctx, name+" started")
	trace.WithRegion(ctx, name+" with", func() {})
	r.End()
}

func main() {
	ctx, task := trace.NewTask(context.Background(), "self")
	regions(ctx, "off")
	if err := trace.Start(io.Discard); err != nil {
		panic(err)
	}
	regions(ctx, "on")
	trace.Stop()
	regions(ctx, "off again")
	task.End()
}
