package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/stoptest"
)

// A program stopped by the timeout or by Stop has printed every goroutine's
// stack (the Go runtime's SIGQUIT dump) as output on stderr before run.end,
// which keeps the stop's reason and the exit of a killed program.
func TestStoppedProgramPrintsItsStacks(t *testing.T) {
	ebpftest.Require(t)
	loop := stoptest.LineOf(t, filepath.Join("testdata", "spin.go"), "// the loop")
	for _, v := range versions(t) {
		bin := buildWith(t, v, "spin")
		for _, how := range []string{"timeout", "stopped", "paced"} {
			t.Run(v+"/"+how, func(t *testing.T) {
				var out bytes.Buffer
				opts := Options{Binary: bin, Procs: 2, Out: &out}
				const after = 700 * time.Millisecond
				if how == "paced" {
					// Held stopped between events, it must be let go to print.
					control, hold := io.Pipe()
					defer hold.Close()
					opts.Paced, opts.Speed, opts.Control = true, 2000, control
				}
				if how == "timeout" {
					opts.Timeout = after
				} else {
					opts.Out, opts.Stop = stoptest.StopAfter(&out, "spinning", after)
				}
				began := time.Now()
				if err := Run(opts); err != nil {
					t.Fatalf("run: %v", err)
				}
				took := time.Since(began)
				var events []event
				sc := bufio.NewScanner(&out)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					var e event
					if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
						t.Fatalf("not JSON: %v: %s", err, sc.Text())
					}
					events = append(events, e)
				}
				end := events[len(events)-1]
				want := how
				if how == "paced" {
					want = "stopped"
				}
				if end.kind() != "run.end" || end.str("reason") != want || end.num("exitCode") != -1 || end.str("signal") != "SIGKILL" {
					t.Fatalf("run.end: %v", end)
				}
				var stderr strings.Builder
				for _, e := range events {
					if e.kind() == "output" && e.str("stream") == "stderr" {
						stderr.WriteString(e.str("data"))
					}
				}
				stoptest.CheckDump(t, stderr.String(), "main.main", loop, false)
				t.Logf("the run took %v", took)
			})
		}
	}
}
