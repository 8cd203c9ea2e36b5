package launch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckGodebug(t *testing.T) {
	for _, ok := range []string{"", "schedtrace=100", "schedtrace=100,scheddetail=1,gctrace=1"} {
		if err := CheckGodebug(ok); err != nil {
			t.Errorf("CheckGodebug(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"schedtrace", "a=1,,b=2", "x=1 y=2", "PATH=/bin", "a=1\nLD_PRELOAD=x", "a=$(id)"} {
		if err := CheckGodebug(bad); err == nil {
			t.Errorf("CheckGodebug(%q) = nil, want an error", bad)
		}
	}
}

// The runtime prints a cycle's gctrace line after it wakes runtime.GC's
// caller, so a program that exits right after runtime.GC() can exit before
// its line is out (it was missing once in CI): a second cycle and a short
// nap leave the first one's line time to come.
const gcProgram = `package main

import (
	"runtime"
	"time"
)

func main() {
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
}
`

// The runtime takes the last of two settings of one name: a probe's own
// setting, joined after the learner's, is the one in force. Checked on the
// runtime itself with gctrace, whose lines say whether it is on.
func TestGodebugProbeWins(t *testing.T) {
	if got := Godebug("", "asyncpreemptoff=1"); got != "asyncpreemptoff=1" {
		t.Fatalf("Godebug with no learner settings = %q", got)
	}
	if got := Godebug("gctrace=1", ""); got != "gctrace=1" {
		t.Fatalf("Godebug with no own settings = %q", got)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(gcProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gc")
	if out, err := exec.Command("go", "build", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	traces := func(godebug string) bool {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GODEBUG=%s: %v\n%s", godebug, err, out)
		}
		return strings.Contains(string(out), "gc 1 @")
	}
	if on := Godebug("gctrace=1", "gctrace=0"); traces(on) {
		t.Errorf("GODEBUG=%s: the learner's gctrace=1 won over the probe's gctrace=0", on)
	}
	if on := Godebug("gctrace=0", "gctrace=1"); !traces(on) {
		t.Errorf("GODEBUG=%s: the probe's gctrace=1 did not take effect", on)
	}
}

// The exec helper, a Go program, must not act on the target's GODEBUG (it
// would print its own schedtrace lines while it waits), and the target gets it back.
func TestHelperHidesGodebug(t *testing.T) {
	env := []string{"PATH=/bin", "GODEBUG=schedtrace=10", "GOMAXPROCS=2"}
	held := helperEnv(env)
	for _, kv := range held {
		if strings.HasPrefix(kv, "GODEBUG=") {
			t.Fatalf("the helper's environment has %s", kv)
		}
	}
	if back := targetEnv(held); strings.Join(back, " ") != strings.Join(env, " ") {
		t.Fatalf("targetEnv(helperEnv(env)) = %v, want %v", back, env)
	}
}
