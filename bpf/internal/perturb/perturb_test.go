package perturb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const program = `package main

import (
	"fmt"
	"sync"
)

var greeting = "hi"

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fmt.Println(greeting)
	}()
	if greeting != "" {
		fmt.Println("a")
	} else {
		fmt.Println(
			"b")
	}
	// waits for the goroutine
	wg.Wait()
}
`

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustParse(t *testing.T, s string) At {
	t.Helper()
	at, err := ParseAt(s)
	if err != nil {
		t.Fatalf("ParseAt(%q): %v", s, err)
	}
	return at
}

func TestParseAt(t *testing.T) {
	if at := mustParse(t, "main.go:12:yield"); at != (At{File: "main.go", Line: 12, Kind: Yield}) {
		t.Errorf("yield: %+v", at)
	}
	if at := mustParse(t, "dir/x.go:3:sleep=1ms"); at != (At{File: "dir/x.go", Line: 3, Kind: Sleep, Sleep: time.Millisecond}) {
		t.Errorf("sleep: %+v", at)
	}
	for _, s := range []string{"main.go:12", "main.go:0:yield", "main.go:x:yield", "main.go:3:spin", "main.go:3:sleep=2s", "main.go:3:sleep=-1ms", "main.go:3:sleep=fast"} {
		if _, err := ParseAt(s); err == nil || !IsBadInput(err) {
			t.Errorf("ParseAt(%q) = %v, want a BadInput", s, err)
		}
	}
}

// The calls go on the lines asked, before the statement's first token; no
// line moves; the program still builds and runs as before.
func TestPrepareKeepsEveryLine(t *testing.T) {
	dir := write(t, map[string]string{"main.go": program, "go.mod": "module prog\n\ngo 1.22\n"})
	ats := []At{mustParse(t, "main.go:15:yield"), mustParse(t, "main.go:18:sleep=1ms"), mustParse(t, "main.go:15:yield")}
	if err := Prepare(dir, ats); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	before, after := strings.Split(program, "\n"), strings.Split(string(got), "\n")
	if len(before) != len(after) {
		t.Fatalf("%d lines became %d", len(before), len(after))
	}
	want := map[int]string{
		15: "\t\tslowmoPerturbYield(); slowmoPerturbYield(); fmt.Println(greeting)",
		18: "\t\tslowmoPerturbSleep(1000000); fmt.Println(\"a\")",
	}
	for i := range before {
		if w, ok := want[i+1]; ok {
			if after[i] != w {
				t.Errorf("line %d: %q, want %q", i+1, after[i], w)
			}
		} else if after[i] != before[i] {
			t.Errorf("line %d changed: %q", i+1, after[i])
		}
	}
	helper, err := os.ReadFile(filepath.Join(dir, HelperFile))
	if err != nil || !strings.Contains(string(helper), "package main") {
		t.Fatalf("helper: %v %q", err, helper)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("no go command to build the perturbed program with: %v", err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if lines := strings.Fields(string(out)); len(lines) != 2 {
		t.Errorf("output %q, want hi and a in some order", out)
	}
}

// Every line that starts no statement inside a function body is refused
// with what it is, where, and lines that would do.
func TestPrepareRefusesLinesWithoutAStatement(t *testing.T) {
	cases := []struct {
		line int
		what string
	}{
		{2, "main.go:2: cannot perturb line 2: it is empty;"},
		{4, "main.go:4: cannot perturb line 4: it is in the imports;"},
		{8, "main.go:8: cannot perturb line 8: it (`var greeting = \"hi\"`) is outside any function body;"},
		{10, "main.go:10: cannot perturb line 10: it (`func main() {`) starts no statement;"},
		{16, "main.go:16: cannot perturb line 16: it (`}()`) starts no statement;"},
		{19, "main.go:19: cannot perturb line 19: it (`} else {`) starts no statement;"},
		{21, "main.go:21: cannot perturb line 21: it is inside the statement that starts at line 20 (perturb line 20);"},
		{23, "main.go:23: cannot perturb line 23: it is a comment;"},
		{40, "main.go:40: cannot perturb line 40: main.go has 25 lines;"},
	}
	for _, c := range cases {
		dir := write(t, map[string]string{"main.go": program})
		err := Prepare(dir, []At{{File: "main.go", Line: c.line, Kind: Yield}})
		if err == nil || !IsBadInput(err) {
			t.Errorf("line %d: %v, want a BadInput", c.line, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, c.what) || !strings.Contains(msg, "choose a line where one starts, e.g. ") {
			t.Errorf("line %d: %q, want it to begin %q and advise", c.line, msg, c.what)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != program {
			t.Errorf("line %d: the file was changed although refused", c.line)
		}
	}
	dir := write(t, map[string]string{"main.go": program})
	if err := Prepare(dir, []At{{File: "other.go", Line: 3, Kind: Yield}}); err == nil || !strings.Contains(err.Error(), "other.go: the program has no such file (it has main.go)") {
		t.Errorf("missing file: %v", err)
	}
}

func TestIsHelperFunc(t *testing.T) {
	for fn, want := range map[string]bool{
		"main.slowmoPerturbYield":            true,
		"example.com/m/w.slowmoPerturbSleep": true,
		"main.main":                          false,
		"main.slowmoUserMain":                false,
		"runtime.Gosched":                    false,
	} {
		if IsHelperFunc(fn) != want {
			t.Errorf("IsHelperFunc(%q) = %v", fn, !want)
		}
	}
}
