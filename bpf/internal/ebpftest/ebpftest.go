// Package ebpftest holds the one rule for tests that need eBPF: where it
// cannot load they skip with the reason, except in CI (CI set), where an
// eBPF test that cannot run is a failure, never a silent skip.
package ebpftest

import (
	"os"
	"testing"

	"go-slowmo.dev/bpf/internal/capability"
)

// Require skips (or, in CI, fails) the test unless eBPF programs and uprobes can be loaded.
func Require(t testing.TB) {
	t.Helper()
	r := capability.Probe()
	if r.Available {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("this test needs eBPF and CI=%q forbids skipping it: %s", os.Getenv("CI"), r.Why)
	}
	t.Skipf("needs eBPF: %s", r.Why)
}
