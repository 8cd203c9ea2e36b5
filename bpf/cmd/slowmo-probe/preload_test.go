package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// `slowmo-probe preload` loads the probes before the program exists (a
// bridge starts it while the program builds), then runs the arguments of
// `run` it is given on stdin, exactly as run would (here with --dir).
func TestPreloadLoadsBeforeTheProgramExists(t *testing.T) {
	ebpftest.Require(t)
	dir := t.TempDir()
	probe := filepath.Join(dir, "slowmo-probe")
	if out, err := exec.Command("go", "build", "-o", probe, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	spec, err := ebpf.LoadCollectionSpec("../../internal/probe/slowmo.bpf.o")
	if err != nil {
		t.Fatal(err)
	}

	ready, readyW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(probe, "preload", "--ready-fd", "3")
	cmd.ExtraFiles = []*os.File{readyW}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readyW.Close()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	said, err := io.ReadAll(ready)
	if err != nil || string(said) != "ready\n" {
		t.Fatalf("--ready-fd said %q (%v), want one line once loaded; stderr: %s", said, err, stderr.String())
	}
	if n := programs(t, cmd.Process.Pid); n != len(spec.Programs) {
		t.Fatalf("preload said it was ready with %d of the %d programs loaded", n, len(spec.Programs))
	}

	// Only now is there a program to run.
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tch := make(chan string)\n\tgo func() { wd, _ := os.Getwd(); ch <- wd }()\n\tfmt.Println(\"in\", <-ch)\n}\n"
	for name, text := range map[string]string{"main.go": prog, "go.mod": "module prog\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "prog")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	work := t.TempDir()
	args, _ := json.Marshal([]string{"--procs", "2", "--dir", work, "--", bin})
	if _, err := fmt.Fprintf(stdin, "%s\n", args); err != nil {
		t.Fatal(err)
	}

	var kinds []string
	var output string
	var end map[string]any
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		kind, _ := e["kind"].(string)
		kinds = append(kinds, kind)
		if kind == "output" {
			output += e["data"].(string)
		}
		if kind == "run.end" {
			end = e
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("preload: %v; stderr: %s", err, stderr.String())
	}
	if len(kinds) < 3 || kinds[0] != "run.start" || end == nil || kinds[len(kinds)-1] != "run.end" {
		t.Fatalf("want run.start ... run.end, got %v", kinds)
	}
	if end["reason"] != "exit" || end["exitCode"] != 0.0 || end["lost"] != 0.0 {
		t.Fatalf("run.end: %v", end)
	}
	if !slices.Contains(kinds, "g.create") || !slices.Contains(kinds, "g.waiting") {
		t.Errorf("the probes saw no goroutine created or waiting: %v", kinds)
	}
	if output != "in "+work+"\n" {
		t.Errorf("output %q, want the program to start in --dir %s", output, work)
	}
}

// Nobody came (the build failed, the bridge went away): preload ends quietly;
// a first line that is not a run's arguments gets one line saying what it must be.
func TestPreloadWithoutARun(t *testing.T) {
	ebpftest.Require(t)
	dir := t.TempDir()
	probe := filepath.Join(dir, "slowmo-probe")
	if out, err := exec.Command("go", "build", "-o", probe, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name, stdin string
		exit        int
		stderr      string
	}{
		{"stdin closed", "", 0, ""},
		{"half a line", `["--procs"`, 0, ""},
		{"not JSON", "run it please\n", 2, "JSON array of strings"},
		{"bad arguments", `["--procs","-1","--","/bin/true"]` + "\n", 2, "--procs -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(probe, "preload")
			cmd.Stdin = strings.NewReader(c.stdin)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			msg := strings.TrimSpace(stderr.String())
			if code != c.exit || len(out) != 0 || strings.Count(msg, "\n") > 0 || !strings.Contains(msg, c.stderr) || (c.stderr == "" && msg != "") {
				t.Fatalf("exit %d, stdout %q, stderr %q: want exit %d, no stdout and one line saying %q", code, out, msg, c.exit, c.stderr)
			}
		})
	}
}

// programs counts the BPF programs process pid holds.
func programs(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if to, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); to == "anon_inode:bpf-prog" {
			n++
		}
	}
	return n
}
