package trace

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/probe"
	"go-slowmo.dev/bpf/internal/stream/schema"
)

// plainBuild builds the sources in src with a plain go build (no helper), for the eBPF backend.
func plainBuild(t *testing.T, version, src string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+version, "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build with %s: %v\n%s", version, err, out)
	}
	return bin
}

// userView is what both backends must agree on: the learner's goroutines by
// creation site (function and line, with their parent's creation site), and
// for each, the wait reasons, with the learner's line where it was waiting.
func userView(events []event) (sites []string, waits map[string]int64) {
	siteOf := map[int64]string{1: "main"}
	waits = map[string]int64{}
	for _, e := range events {
		switch e.kind() {
		case "g.create":
			if !strings.HasPrefix(e.str("fn"), "main.") {
				continue
			}
			site := fmt.Sprintf("%s@%s:%d", e.str("fn"), filepath.Base(e.str("file")), e.num("line"))
			siteOf[e.num("goid")] = site
			parent := siteOf[e.num("parent")]
			if parent == "" {
				parent = "?"
			}
			sites = append(sites, site+" from "+parent)
		case "g.waiting":
			site, ok := siteOf[e.num("goid")]
			if !ok || e.str("file") == "" {
				continue
			}
			// The line only where it is the learner's file: where a backend
			// cannot find the learner's line it names another file's (the
			// eBPF backend walks past an inlined sync.Mutex.Lock's lines in
			// mutex.go to the call's, but other inlined code may remain).
			w := fmt.Sprintf("%s waits on %q", site, e.str("reason"))
			if filepath.Base(e.str("file")) == "main.go" {
				waits[w] = e.num("line")
			} else if _, ok := waits[w]; !ok {
				waits[w] = 0
			}
		}
	}
	slices.Sort(sites)
	return sites, waits
}

func TestBothBackendsAgree(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			for _, c := range []struct {
				name  string
				procs int
			}{{"create", 1}, {"waits", 2}, {"twop", 2}} {
				t.Run(c.name, func(t *testing.T) {
					bin, src := buildWith(t, version, c.name)
					traced, _ := record(t, bin, src, c.procs)
					var out bytes.Buffer
					if err := probe.Run(probe.Options{Binary: plainBuild(t, version, src), Procs: c.procs, Out: &out}); err != nil {
						t.Fatalf("eBPF run: %v", err)
					}
					probed := parse(t, out.Bytes())
					tSites, tWaits := userView(traced)
					pSites, pWaits := userView(probed)
					// The tracer also shows a goroutine stopped for the GC to scan its
					// stack ("preempted", suspendG); that is no gopark, so the eBPF
					// backend does not show it as a wait. It happens or not by timing.
					for w := range tWaits {
						if strings.Contains(w, `"preempted"`) {
							delete(tWaits, w)
						}
					}
					if len(tSites) == 0 || !slices.Equal(tSites, pSites) {
						t.Errorf("goroutines by creation site differ:\ntrace: %v\neBPF:  %v", tSites, pSites)
					}
					same := len(tWaits) > 0 && len(tWaits) == len(pWaits)
					for w, tl := range tWaits {
						pl, ok := pWaits[w]
						same = same && ok && (tl == pl || tl == 0 || pl == 0)
					}
					if !same {
						t.Errorf("wait reasons (and lines) differ:\ntrace: %v\neBPF:  %v", tWaits, pWaits)
					}
				})
			}
		})
	}
}

// TestMain lets the test binary play the eBPF backend's exec helper, and
// checks every event the tests make against the protocol's schema.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == launch.ExecHelper {
		launch.Helper(os.Args[2:])
	}
	waitForPacedTests()
	os.Exit(schema.RunChecked(m))
}

// waitForPacedTests waits (up to 3 minutes) while the eBPF backend's tests
// run: `go test ./...` runs packages side by side, and its paced-mode tests
// time the target's pauses, which the builds and CPU-bound programs here
// would stretch on a small machine.
func waitForPacedTests() {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		busy := false
		comms, _ := filepath.Glob("/proc/[0-9]*/comm")
		for _, c := range comms {
			if name, _ := os.ReadFile(c); strings.TrimSpace(string(name)) == "probe.test" {
				busy = true
				break
			}
		}
		if !busy {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
