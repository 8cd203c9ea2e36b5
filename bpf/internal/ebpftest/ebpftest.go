// Package ebpftest holds the one rule for tests that need something this
// machine may lack (eBPF, root): where it is missing they skip with the
// reason, except in CI (CI set), where a test that cannot run is a failure,
// never a silent skip. No test skips any other way (noskip_test.go checks).
package ebpftest

import (
	"os"
	"testing"

	"go-slowmo.dev/bpf/internal/capability"
)

// Require skips (or, in CI, fails) the test unless eBPF programs and uprobes can be loaded.
func Require(t testing.TB) {
	t.Helper()
	if r := capability.Probe(); !r.Available {
		Missing(t, "needs eBPF: "+r.Why)
	}
}

// RequireRoot skips (or, in CI, fails) the test unless it runs as root.
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root: "+why)
	}
}

// Missing ends a test that cannot run here: a skip saying why, or in CI a failure.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI=%q forbids skipping this test: %s", os.Getenv("CI"), why)
	}
	t.Skip(why)
}
