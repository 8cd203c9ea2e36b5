package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/trace"
)

// The trace backend needs no privilege: run as nobody (uid 65534, no
// capabilities), it records a program built with the helper, and a binary
// built without the helper is refused with one line.
func TestTraceRunsUnprivileged(t *testing.T) {
	ebpftest.RequireRoot(t, "to drop to another user with setpriv")
	dir, err := os.MkdirTemp("", "slowmo-trace-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "slowmo-probe")
	if out, err := exec.Command("go", "build", "-o", probe, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tch := make(chan int)\n\tgo func() { ch <- 1 }()\n\tfmt.Println(<-ch)\n}\n"
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := trace.Build(src, dir)
	if err != nil {
		t.Fatal(err)
	}
	for p := bin; p != dir; p = filepath.Dir(p) {
		_ = os.Chmod(p, 0o755)
	}
	nobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"}
	cmd := exec.Command(nobody[0], append(nobody[1:], probe, "trace", "--procs", "2", "--", bin)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, stderr.String())
	}
	var kinds []string
	var end map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		kinds = append(kinds, e["kind"].(string))
		end = e
	}
	all := strings.Join(kinds, " ")
	for _, want := range []string{"run.start", "g.create", "g.waiting", "g.exit", "output", "run.end"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %s in %s", want, all)
		}
	}
	if end["reason"] != "exit" || end["exitCode"] != 0.0 {
		t.Errorf("run.end: %v\n%s", end, stderr.String())
	}

	// A plain build (no helper) is refused: exit 2, one line.
	plain := filepath.Join(dir, "plain")
	build := exec.Command("go", "build", "-o", plain, "main.go")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd = exec.Command(nobody[0], append(nobody[1:], probe, "trace", "--", plain)...)
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || len(out) != 0 || !strings.Contains(stderr.String(), "without the trace helper") {
		t.Errorf("a binary without the helper: %v, stdout %q, stderr %q", err, out, stderr.String())
	}
}
