package target

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

const program = `package main

import "fmt"

func main() {
	ch := make(chan int)
	go func() { ch <- 1 }()
	fmt.Println(<-ch)
}
`

// build compiles program with the given toolchain (GOTOOLCHAIN value; "" for the local one) and ldflags.
func build(t *testing.T, toolchain, ldflags string) string {
	t.Helper()
	return buildWith(t, toolchain, "-ldflags="+ldflags)
}

// buildWith compiles program with the given toolchain and go build flags.
func buildWith(t *testing.T, toolchain string, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+toolchain, "CGO_ENABLED=0")
	if toolchain == "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN=local")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// goidOffset is the oracle from docs/ARCHITECTURE.md: g.goid moved in 1.23 and back in 1.25.
func goidOffset(minor int) int64 {
	if minor == 23 || minor == 24 {
		return 160
	}
	return 152
}

func TestReadsTheBinaryItself(t *testing.T) {
	b, err := Open(build(t, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want the toolchain's %q", b.GoVersion, runtime.Version())
	}

	structs, err := b.Structs("runtime.g", "runtime.m", "runtime.p", "runtime.schedt")
	if err != nil {
		t.Fatal(err)
	}
	if got := structs["runtime.g"].Fields["goid"]; got != goidOffset(b.Minor) {
		t.Errorf("g.goid at %d, the oracle says %d for %s", got, goidOffset(b.Minor), b.GoVersion)
	}
	if got := structs["runtime.p"].Fields["runq"]; got != 400 && got != 408 {
		t.Errorf("p.runq at %d, want 400 or 408", got)
	}
	for _, f := range []string{"runqhead", "runqtail", "runnext", "id", "status", "m"} {
		if _, err := structs["runtime.p"].Offset(f); err != nil {
			t.Error(err)
		}
	}
	if _, err := structs["runtime.p"].Offset("nosuchfield"); err == nil || !strings.Contains(err.Error(), "runtime.p") {
		t.Errorf("a missing field should name the struct: %v", err)
	}

	reasons, err := b.Strings("runtime.waitReasonStrings")
	if err != nil {
		t.Fatal(err)
	}
	if len(reasons) < 20 || reasons[0] != "" {
		t.Fatalf("wait reasons look wrong: %q", reasons)
	}
	found := false
	for _, r := range reasons {
		found = found || r == "chan receive"
	}
	if !found {
		t.Errorf("no \"chan receive\" among %q", reasons)
	}
}

func TestProbeSitesAreAfterTheStackCheckAndOnEveryRet(t *testing.T) {
	b, err := Open(build(t, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, name := range []string{"runtime.runqput", "runtime.execute", "runtime.newproc1", "runtime.gopark"} {
		s, err := b.Sites(name)
		if err != nil {
			t.Fatal(err)
		}
		at := func(addr uint64) x86asm.Inst {
			code, err := b.readAt(addr, 16)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := x86asm.Decode(code, 64)
			if err != nil {
				t.Fatal(err)
			}
			return inst
		}
		if s.Entry <= s.Func.Entry || at(s.Entry).Op != x86asm.PUSH {
			t.Errorf("%s: entry site %#x (function at %#x) is not the post-prologue PUSHQ BP", name, s.Entry, s.Func.Entry)
		}
		if first := at(s.Func.Entry); first.Op != x86asm.CMP {
			t.Errorf("%s: expected the stack check first, got %v", name, first)
		}
		if len(s.Rets) == 0 {
			t.Errorf("%s: no RET found", name)
		}
		for _, r := range s.Rets {
			if at(r).Op != x86asm.RET || r >= s.Func.Entry+s.Func.Size {
				t.Errorf("%s: %#x is not a RET inside the function", name, r)
			}
		}
		if _, err := b.FileOffset(s.Entry); err != nil {
			t.Error(err)
		}
	}
	if _, err := b.Sites("runtime.runqget"); err == nil || !strings.Contains(err.Error(), "inlined") {
		t.Errorf("runqget is inlined everywhere; want an error saying so, got %v", err)
	}
}

func TestBadTargetsGetOneClearLine(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file"},
		{"directory", dir, "is a directory"},
		{"not ELF", text, "not an ELF executable"},
		{"not Go", "/bin/true", "not built by Go"},
		{"stripped", build(t, "", "-s -w"), "stripped"},
		{"no DWARF", build(t, "", "-w"), "no DWARF"},
	}
	for _, c := range cases {
		_, err := Open(c.path)
		var te *Error
		if !errors.As(err, &te) {
			t.Errorf("%s: want a target.Error, got %v", c.name, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, c.path) {
			t.Errorf("%s: %q should be one line starting with the path and saying %q", c.name, msg, c.want)
		}
	}
}
