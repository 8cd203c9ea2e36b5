package trace

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The tracer's pipe is the program's to write: a program that stops its
// tracer and writes one generation without end to the pipe is stopped once
// the reader has taken in maxTraceGap without an event, instead of the probe
// holding all of it.
func TestForgedTraceIsBounded(t *testing.T) {
	vs := versions()
	bin, _ := buildWith(t, vs[len(vs)-1], "forger")
	var out bytes.Buffer
	start := time.Now()
	if err := Run(Options{Binary: bin, Procs: 2, Out: &out, Timeout: 30 * time.Second}); err != nil {
		t.Fatalf("run: %v", err)
	}
	took := time.Since(start)
	events := parse(t, out.Bytes())
	end := events[len(events)-1]
	if end.str("reason") != "event-limit" {
		t.Fatalf("run.end %v after %v, want reason event-limit", end, took)
	}
	said := ""
	for _, e := range events {
		if e.kind() == "output" && e.str("stream") == "stdout" {
			said += e.str("data")
		}
	}
	if !strings.HasPrefix(said, "forging\n") {
		t.Fatalf("the program said %q", said)
	}
	if took > 10*time.Second {
		t.Fatalf("took %v to stop", took)
	}
}
