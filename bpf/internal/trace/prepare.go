// Package trace is the unprivileged backend of slowmo-probe: the program is
// built with a small added file that starts runtime/trace at init, writing
// to a pipe the probe gives it (an inherited fd named in SLOWMO_TRACE_FD).
// The probe parses the trace live with golang.org/x/exp/trace and maps it to
// the protocol's events (docs/ARCHITECTURE.md, "The event model"), saying in
// run.start's fidelity what the tracer cannot see, and marking every event it
// deduced rather than read (`inferred: true`).
package trace

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// HelperFile is the name of the added file. It sorts before any name a
// learner would give a file, so its init runs before theirs.
const HelperFile = "0000_slowmo_trace.go"

// FDEnv names the environment variable with the trace pipe's fd number.
const FDEnv = "SLOWMO_TRACE_FD"

// userMain is what the learner's main is renamed to, so that the helper's
// main can stop the trace (flushing its last generation) when it returns.
const userMain = "slowmoUserMain"

// marker is a function of the helper, looked up in a binary's symbols to say
// whether it was built with the helper.
const marker = "main.slowmoTraceStop"

// helperSource starts the tracer in init (before the learner's own init
// functions) and stops it when the learner's main returns or panics. A
// program that ends by os.Exit, or by a panic in another goroutine, never
// stops it: the events of its last generation are lost. The trace goes to
// the probe's pipe, non-blocking: when it is full the probe is behind, and
// the program stops itself until the probe continues it (throttle.go).
const helperSource = `// Code added by slowmo-probe (trace backend). DO NOT EDIT.

package main

import (
	slowmoOS "os"
	slowmoTrace "runtime/trace"
	slowmoStrconv "strconv"
	slowmoSync "sync"
	slowmoSyscall "syscall"
	slowmoTime "time"
)

var slowmoTraceOn bool

func init() {
	fd, err := slowmoStrconv.Atoi(slowmoOS.Getenv("` + FDEnv + `"))
	if err != nil || fd < 3 || slowmoSyscall.SetNonblock(fd, true) != nil {
		return
	}
	slowmoOS.Unsetenv("` + FDEnv + `")
	if slowmoTrace.Start(slowmoTracePipe(fd)) == nil {
		slowmoTraceOn = true
	}
}

// slowmoTracePipe is the probe's pipe. On a full pipe the program stops
// itself, rather than trace on into memory while the probe is behind; the
// probe continues it once it has read. The writer never waits in a write
// meanwhile: that would let the rest of the program run on. Still full right
// after a stop, the stop did not take (an init process ignores it): it
// waits a millisecond at a time.
type slowmoTracePipe int

// slowmoStopMu is held while the program stops itself and while the GC
// lens's helper writes a heap dump: the two never overlap.
var slowmoStopMu slowmoSync.Mutex

func (p slowmoTracePipe) Write(b []byte) (int, error) {
	n, stopped := 0, false
	for n < len(b) {
		m, err := slowmoSyscall.Write(int(p), b[n:])
		if m > 0 {
			n, stopped = n+m, false
		}
		switch err {
		case nil, slowmoSyscall.EINTR:
		case slowmoSyscall.EAGAIN:
			if stopped {
				slowmoTime.Sleep(slowmoTime.Millisecond)
			}
			// Never while a heap dump is being written (the GC lens): a
			// stop interrupts a blocked pipe write, which then returns
			// short, and the runtime's dump writer drops the rest.
			slowmoStopMu.Lock()
			_ = slowmoSyscall.Kill(slowmoSyscall.Getpid(), slowmoSyscall.SIGSTOP)
			slowmoStopMu.Unlock()
			stopped = true
		default:
			return n, err
		}
	}
	return n, nil
}

//go:noinline
func slowmoTraceStop() {
	if slowmoTraceOn {
		slowmoTraceOn = false
		slowmoTrace.Stop()
	}
}

// slowmoAtMain, when set (by the GC lens's helper), runs as main begins
// and returns what runs as it returns.
var slowmoAtMain func() func()

func main() {
	defer slowmoTraceStop()
	if slowmoAtMain != nil {
		defer slowmoAtMain()()
	}
	` + userMain + `()
}
`

// BadInput is an error about the learner's program or the command line, not the probe.
type BadInput struct{ msg string }

func (e *BadInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return &BadInput{fmt.Sprintf(format, args...)} }

// IsBadInput says whether err is the user's to fix.
func IsBadInput(err error) bool {
	var b *BadInput
	return errors.As(err, &b)
}

// Prepare instruments the main package in dir, in place: it adds HelperFile
// and renames the learner's func main to slowmoUserMain. Only the name
// changes, on its own line, so every line number stays as written.
func Prepare(dir string) error { return prepare(dir, false) }

// PrepareGC is Prepare with the GC lens's helper added too (dumphelper.go):
// the program's runtime.GC() calls become slowmoGC(runtime.GC), on their
// own lines.
func PrepareGC(dir string) error { return prepare(dir, true) }

func prepare(dir string, gc bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return bad("%v", err)
	}
	fset := token.NewFileSet()
	found := ""
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == HelperFile || name == DumpHelperFile {
			continue
		}
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return bad("%v", err)
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return bad("%v", err)
		}
		if f.Name.Name != "main" {
			continue
		}
		var edits []edit
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "main" {
				continue
			}
			if found != "" {
				return bad("func main is declared twice (%s and %s)", found, name)
			}
			found = name
			edits = append(edits, edit{off: fset.Position(fn.Name.Pos()).Offset, del: len("main"), text: userMain})
		}
		if gc {
			edits = append(edits, gcCallEdits(fset, f)...)
		}
		if len(edits) == 0 {
			continue
		}
		sort.Slice(edits, func(i, j int) bool { return edits[i].off < edits[j].off })
		var out bytes.Buffer
		at := 0
		for _, ed := range edits {
			out.Write(src[at:ed.off])
			out.WriteString(ed.text)
			at = ed.off + ed.del
		}
		out.Write(src[at:])
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if found == "" {
		return bad("no func main in package main in %s", dir)
	}
	if gc {
		if err := os.WriteFile(filepath.Join(dir, DumpHelperFile), []byte(dumpHelper()), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, HelperFile), []byte(helperSource), 0o644)
}

// Build copies the sources in srcDir (a main package, with or without
// go.mod) to a new directory under work, instruments them (Prepare) and
// builds them with the go command on PATH (GOTOOLCHAIN, if set, chooses the
// release). It returns the binary's path. A compile error is BadInput, with
// the compiler's messages. The sources are compiled in SourcesOf(binary).
func Build(srcDir, work string) (string, error) { return build(srcDir, work, false) }

// BuildGC is Build with the GC lens's helper (PrepareGC).
func BuildGC(srcDir, work string) (string, error) { return build(srcDir, work, true) }

func build(srcDir, work string, gc bool) (string, error) {
	info, err := os.Stat(srcDir)
	if err != nil {
		return "", bad("%v", err)
	}
	if !info.IsDir() {
		return "", bad("--build %s: not a directory", srcDir)
	}
	dir, err := os.MkdirTemp(work, "slowmo-build-")
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "src")
	if err := copyTree(srcDir, src); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module prog\n\ngo 1.22\n"), 0o644); err != nil {
			return "", err
		}
	}
	if err := prepare(src, gc); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", bad("build failed:\n%s", strings.TrimSpace(strings.ReplaceAll(string(out), userMain, "main")))
		}
		return "", fmt.Errorf("go build: %w", err)
	}
	return bin, nil
}

// SourcesOf is the directory Build compiled the binary at bin from.
func SourcesOf(bin string) string { return filepath.Join(filepath.Dir(bin), "src") }

// copyTree copies regular files and directories (not symlinks or anything else).
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
