package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// lineOf is the 1-based line of testdata/name.go that holds marker.
func lineOf(t *testing.T, name, marker string) int {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %q in testdata/%s.go", marker, name)
	return 0
}

// A program stopped by the timeout or by Stop has printed every goroutine's
// stack (the Go runtime's SIGQUIT dump) as output on stderr before run.end,
// which keeps the stop's reason and the exit of a killed program.
func TestStoppedProgramPrintsItsStacks(t *testing.T) {
	ebpftest.Require(t)
	loop := lineOf(t, "spin", "// the loop")
	complete := regexp.MustCompile(`\ngs +0x[0-9a-f]+\n$`)
	header := regexp.MustCompile(`goroutine 1 [^\n]*\[(running|runnable)\]:`)
	frame := regexp.MustCompile(fmt.Sprintf(`main\.main\(\)\n\t\S*main\.go:%d `, loop))
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
					// Stop it once it runs its loop: stopped before its runtime
					// is up, a program has no stacks to print.
					s := make(chan struct{})
					opts.Stop = s
					opts.Out = &watchFor{w: &out, text: []byte("spinning"), then: func() {
						time.AfterFunc(after, func() { close(s) })
					}}
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
				dump := stderr.String()
				if !strings.HasPrefix(dump, "SIGQUIT: quit") || !header.MatchString(dump) || !frame.MatchString(dump) {
					t.Fatalf("stderr should hold the stack dump with goroutine 1 at main.go:%d:\n%s", loop, dump)
				}
				// Whole, to the registers it ends with: the program ended of the
				// quit, not of a kill after the grace.
				if !complete.MatchString(dump) {
					t.Fatalf("the dump is cut short:\n%s", dump)
				}
				t.Logf("the run took %v", took)
			})
		}
	}
}

// watchFor passes writes to w and calls then once, when text has gone by.
type watchFor struct {
	w    io.Writer
	text []byte
	then func()
	seen bool
}

func (x *watchFor) Write(p []byte) (int, error) {
	if !x.seen && bytes.Contains(p, x.text) {
		x.seen = true
		x.then()
	}
	return x.w.Write(p)
}
