package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime/trace"
	"time"
)

// After stopping its tracer, it writes a trace of its own to the tracer's
// pipe: 200 MiB of one generation, in batches the reader keeps whole and
// never looks into, then waits.
func main() {
	trace.Stop()
	pipe := os.NewFile(3, "trace") // the helper hides the variable, not the fd

	data := make([]byte, 60<<10)
	batch := []byte{1}                         // a batch of events
	batch = binary.AppendUvarint(batch, 1<<40) // of generation 2^40
	batch = binary.AppendUvarint(batch, 1)     // M
	batch = binary.AppendUvarint(batch, 1)     // time
	batch = binary.AppendUvarint(batch, uint64(len(data)))
	batch = append(batch, data...)
	fmt.Println("forging")
	for i := 0; i < 200<<20/len(batch); i++ {
		if _, err := pipe.Write(batch); err != nil {
			fmt.Println(err)
			break
		}
	}
	time.Sleep(time.Hour)
}
