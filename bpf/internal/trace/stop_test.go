package trace

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/stoptest"
)

// A traced program stopped by the timeout or by Stop has printed every
// goroutine's stack (the Go runtime's SIGQUIT dump) as output on stderr
// before run.end, which keeps the stop's reason and the exit of a killed
// program. The launcher forks, as a sandbox does: the signal must reach the
// program, not the launcher.
func TestStoppedProgramPrintsItsStacks(t *testing.T) {
	loop := stoptest.LineOf(t, filepath.Join("testdata", "spin.go"), "// the loop")
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
					opts.Out, opts.Stop = stoptest.StopAfter(&out, "spinning", after)
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
				// The helper renames the learner's main (prepare.go); the line stays.
				stoptest.CheckDump(t, stderr.String(), "main."+userMain, loop, true)
			})
		}
	}
}
