package schema

import (
	"fmt"
	"io"
	"os"
	"sync"

	"go-slowmo.dev/bpf/internal/stream"
)

// RunChecked runs a package's tests (a TestMain's *testing.M) with every
// event any stream.Writer writes checked against Events, and returns
// m.Run's exit code, or 1 when an event did not match, after saying which
// did and why.
func RunChecked(m interface{ Run() int }) int { return runChecked(m, os.Stderr) }

func runChecked(m interface{ Run() int }, report io.Writer) int {
	var mu sync.Mutex
	var checked, failed int
	var shown []string
	stream.Verify = func(line []byte) {
		err := Events.Check(line)
		mu.Lock()
		defer mu.Unlock()
		checked++
		if err == nil {
			return
		}
		failed++
		if len(shown) < 10 {
			shown = append(shown, fmt.Sprintf("  %v\n    in %s", err, clip(line)))
		}
	}
	code := m.Run()
	stream.Verify = nil
	if failed == 0 {
		// Seen with go test -v, or when the tests fail.
		fmt.Fprintf(report, "schema: the %d events these tests made match events.schema.json\n", checked)
		return code
	}
	fmt.Fprintf(report, "FAIL: %d of the %d events these tests made do not match events.schema.json (kernel-bridge/src/protocol/events.ts):\n", failed, checked)
	for _, s := range shown {
		fmt.Fprintln(report, s)
	}
	return 1
}

func clip(line []byte) string {
	if len(line) > 300 {
		return string(line[:300]) + "..."
	}
	return string(line)
}
