package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// The gate says on fd 4 that it runs, so the probe need not poll while a
// sandbox starts; a launcher that does not pass fd 4 on still works (the
// probe polls), and the program's output shows nothing of either.
func TestLaunchersWithAndWithoutTheGatesLine(t *testing.T) {
	ebpftest.Require(t)
	bin := buildWith(t, runtime.Version(), "onep")
	for name, launcher := range map[string][]string{
		"passes fd 4":           {"/bin/sh", "-c", `"$@"`, "launcher"},
		"closes fd 4":           {"/bin/sh", "-c", `exec 4>&-; "$@"`, "launcher"},
		"execs, no fork":        {"/bin/sh", "-c", `exec "$@"`, "launcher"},
		"closes fd 4 and execs": {"/bin/sh", "-c", `exec 4>&-; exec "$@"`, "launcher"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Run(Options{Binary: bin, Procs: 1, Out: &out, Launcher: launcher}); err != nil {
				t.Fatal(err)
			}
			var kinds []string
			var output strings.Builder
			var end map[string]any
			sc := bufio.NewScanner(&out)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var e map[string]any
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatalf("not JSON: %s", sc.Text())
				}
				kind, _ := e["kind"].(string)
				kinds = append(kinds, kind)
				if kind == "output" {
					output.WriteString(e["data"].(string))
				}
				if kind == "run.end" {
					end = e
				}
			}
			if end["reason"] != "exit" || end["exitCode"] != 0.0 || end["lost"] != 0.0 {
				t.Fatalf("run.end %v", end)
			}
			if !strings.Contains(strings.Join(kinds, " "), "g.create") {
				t.Errorf("the probes saw no goroutine made: %v", kinds)
			}
			if strings.Contains(output.String(), "descriptor") {
				t.Errorf("the gate spoke in the program's output: %q", output.String())
			}
		})
	}
}
