package trace

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A traced program stopped by the timeout or by Stop has printed every
// goroutine's stack (the Go runtime's SIGQUIT dump) as output on stderr
// before run.end, which keeps the stop's reason and the exit of a killed
// program. The launcher forks, as a sandbox does: the signal must reach the
// program, not the launcher.
func TestStoppedProgramPrintsItsStacks(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "spin.go"))
	if err != nil {
		t.Fatal(err)
	}
	loop := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "// the loop") {
			loop = i + 1
		}
	}
	complete := regexp.MustCompile(`\ngs +0x[0-9a-f]+\n$`)
	header := regexp.MustCompile(`goroutine 1 [^\n]*\[(running|runnable)\]:`)
	// The helper renames the learner's main (prepare.go); the line stays.
	frame := regexp.MustCompile(fmt.Sprintf(`main\.`+userMain+`\(\)\n\t\S*main\.go:%d `, loop))
	launcher := []string{"/bin/sh", "-c", `"$@"; exit $?`, "sh"}
	vs := versions()
	for _, v := range []string{vs[0], vs[len(vs)-1]} {
		bin, dir := buildWith(t, v, "spin")
		for _, how := range []string{"timeout", "stopped"} {
			t.Run(v+"/"+how, func(t *testing.T) {
				var out bytes.Buffer
				opts := Options{Binary: bin, Procs: 2, Out: &out, Launcher: launcher,
					BuildDir: SourcesOf(bin), SourceDir: dir}
				const after = 700 * time.Millisecond
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
				if err := Run(opts); err != nil {
					t.Fatalf("run: %v", err)
				}
				events := parse(t, out.Bytes())
				end := events[len(events)-1]
				if end.kind() != "run.end" || end.str("reason") != how || end.num("exitCode") != -1 || end.str("signal") != "SIGKILL" {
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
