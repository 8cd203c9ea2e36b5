package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The user-facing promise: bad input gets one line on stderr saying what is
// wrong, exit code 2, and never a Go stack trace.
func TestBadInputIsOneLineAndExitTwo(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "slowmo-probe")
	if out, err := exec.Command("go", "build", "-o", probe, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stripped := filepath.Join(dir, "stripped")
	if out, err := exec.Command("go", "build", "-ldflags=-s -w", "-o", stripped, src).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	cases := []struct {
		name string
		argv []string
		want string
	}{
		{"missing file", []string{probe, "run", "--", filepath.Join(dir, "nope")}, "no such file"},
		{"not a program", []string{probe, "run", "--", text}, "not an ELF executable"},
		{"not built by Go", []string{probe, "run", "--", "/bin/true"}, "not built by Go"},
		{"stripped", []string{probe, "run", "--", stripped}, "without -ldflags"},
		{"no program named", []string{probe, "run"}, "name the program"},
		{"bad --procs", []string{probe, "run", "--procs", "-3", "--", "/bin/true"}, "--procs"},
		{"unknown command", []string{probe, "fly"}, "unknown command"},
		{"--sysmon without --pace", []string{probe, "run", "--sysmon", "see-pauses", "--", "/bin/true"}, "give --pace"},
		{"bad --sysmon", []string{probe, "run", "--pace", "0", "--sysmon", "never", "--", "/bin/true"}, "hide-pauses or see-pauses"},
		{"bad --gc-max-objects with the tracer", []string{probe, "trace", "--gc", "--gc-max-objects", "0", "--", "/bin/true"}, "--gc-max-objects 0"},
		{"bad --gc-max-objects", []string{probe, "run", "--gc", "--gc-max-objects", "0", "--", "/bin/true"}, "--gc-max-objects 0"},
	}
	if os.Geteuid() == 0 {
		cases = append(cases, struct {
			name string
			argv []string
			want string
		}{"no privilege", []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			"--inh-caps=-all", "--bounding-set=-all", "--", probe, "run", "--", "/bin/true"}, "CAP_BPF"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(c.argv[0], c.argv[1:]...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("want exit 2, got %v", err)
			}
			if len(out) != 0 {
				t.Errorf("nothing should go to stdout, got %q", out)
			}
			msg := strings.TrimSpace(stderr.String())
			first := strings.SplitN(msg, "\n", 2)[0]
			if !strings.Contains(first, c.want) || strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
				t.Errorf("stderr %q: want its first line to say %q, and no stack trace", msg, c.want)
			}
		})
	}
}
