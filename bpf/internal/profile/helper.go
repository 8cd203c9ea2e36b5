// Package profile collects the runtime's own profiles of a recorded program
// (cpu, block, mutex, goroutine and a wall-clock one) without a change to
// its source: the build adds a helper file (Prepare) that starts them at
// init and, as the learner's main returns, writes them to a pipe the probe
// gives it (an inherited fd named in FDEnv). The probe reads them
// (Collector), writes them as pprof files and turns them into the
// protocol's `profile` events (kernel-bridge/src/protocol/profile.ts).
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// HelperFile is the added file's name. It sorts after the trace backend's
// helpers (0000_slowmo_trace.go, 0001_slowmo_heapdump.go), which are never
// the learner's code either.
const HelperFile = "0002_slowmo_profile.go"

// FDEnv names the environment variable with the profile pipe's fd number.
const FDEnv = "SLOWMO_PROFILE_FD"

// OnlyEnv, when set to cpu, block, mutex or wall, turns on that profile
// alone (and the goroutine one, taken at the end): for make bench, which
// prints what each costs.
const OnlyEnv = "SLOWMO_PROFILE_ONLY"

// LeakEnv asks for the runtime's own goroutine leak report as main returns
// (leak.go): "1" beside the profiles, "only" without them (no profile is
// started, so the report costs nothing until main's end).
const LeakEnv = "SLOWMO_PROFILE_LEAK"

// traceHelperFile and userMain are the trace backend's (internal/trace's
// prepare.go): its helper's main calls the learner's main renamed userMain.
const (
	traceHelperFile = "0000_slowmo_trace.go"
	userMain        = "slowmoUserMain"
	// profiledMain is what the trace helper's main calls instead of
	// userMain when both helpers are in: the profile helper's wrapper.
	profiledMain = "slowmoMainProfiled"
)

// WallPeriod is how often the helper samples every goroutine's stack for
// the wall profile (the helper's own 10 ms); it keeps at most 50,000
// distinct stacks.
const WallPeriod = 10_000_000 // ns

// helperBody starts the profiles in init (the block and mutex profiles
// record every event: rates of 1) and a sampler that, every WallPeriod,
// takes every goroutine's stack (runtime.GoroutineProfile, which stops the
// world briefly) and counts the time since the last sample to each, on- or
// off-CPU alike, as fgprof does. As the learner's main returns (or panics)
// it writes them all to the pipe as sections "NAME LENGTH\n" + bytes:
// cpu, block, mutex and goroutine as runtime/pprof writes them (gzipped
// pprof protobuf), wall as text (the probe makes a pprof of it): "period
// NS", then per stack "s NS" and its frames leaf first "f FN\tFILE\tLINE".
// A program that ends by os.Exit, or a panic in another goroutine, writes
// none. Asked for (LeakEnv), the first section is "leak": the goroutineleak
// profile (Go 1.26 with GOEXPERIMENT=goroutineleakprofile, 1.27 always)
// written with debug 2, which runs a GC cycle that detects the leaks and
// then prints every goroutine's stack, the leaked ones marked "(leaked)",
// with their goids (debug 0 and 1 aggregate stacks without them); or
// "leak-unavailable" when this runtime has no such profile. The detection
// runs on a goroutine of the helper's own (main.slowmoProfile…, which the
// picture counts as the runtime's): its runtime.GC yields once for every
// span it waits to see swept, thousands of times under the tracer, which
// on main's goroutine would look like the learner's program. Its goroutines are told apart from the learner's by their names'
// prefix main.slowmoProfile.
const helperBody = `
import (
	slowmoProfileBytes "bytes"
	slowmoProfileOS "os"
	slowmoProfileRuntime "runtime"
	slowmoProfilePprof "runtime/pprof"
	slowmoProfileStrconv "strconv"
	slowmoProfileSyscall "syscall"
	slowmoProfileTime "time"
)

var (
	slowmoProfileOut  *slowmoProfileOS.File
	slowmoProfileCPU  slowmoProfileBytes.Buffer
	slowmoProfileStop = make(chan struct{})
	slowmoProfileDone = make(chan struct{})
	slowmoProfileWall = map[string]*slowmoProfileStack{}
	slowmoProfileOnly string
	slowmoProfileLeak string
)

func slowmoProfileWants(kind string) bool {
	return slowmoProfileOnly == "" || slowmoProfileOnly == kind
}

type slowmoProfileStack struct {
	pcs []uintptr
	ns  int64
}

func init() {
	fd, err := slowmoProfileStrconv.Atoi(slowmoProfileOS.Getenv("` + FDEnv + `"))
	if err != nil || fd < 3 {
		return
	}
	slowmoProfileOS.Unsetenv("` + FDEnv + `")
	slowmoProfileOnly = slowmoProfileOS.Getenv("` + OnlyEnv + `")
	slowmoProfileOS.Unsetenv("` + OnlyEnv + `")
	slowmoProfileLeak = slowmoProfileOS.Getenv("` + LeakEnv + `")
	slowmoProfileOS.Unsetenv("` + LeakEnv + `")
	if slowmoProfileLeak == "only" {
		slowmoProfileOnly = "leak"
	}
	slowmoProfileSyscall.CloseOnExec(fd)
	slowmoProfileOut = slowmoProfileOS.NewFile(uintptr(fd), "slowmo-profile")
	if slowmoProfileWants("block") {
		slowmoProfileRuntime.SetBlockProfileRate(1)
	}
	if slowmoProfileWants("mutex") {
		slowmoProfileRuntime.SetMutexProfileFraction(1)
	}
	if slowmoProfileWants("cpu") {
		_ = slowmoProfilePprof.StartCPUProfile(&slowmoProfileCPU)
	}
	if slowmoProfileWants("wall") {
		go slowmoProfileSampler()
	} else {
		close(slowmoProfileDone)
	}
}

func slowmoProfileSampler() {
	defer close(slowmoProfileDone)
	records := make([]slowmoProfileRuntime.StackRecord, 64)
	tick := slowmoProfileTime.NewTicker(` + "10 * slowmoProfileTime.Millisecond" + `)
	defer tick.Stop()
	last := slowmoProfileTime.Now()
	for {
		select {
		case <-slowmoProfileStop:
			return
		case <-tick.C:
		}
		now := slowmoProfileTime.Now()
		dt := int64(now.Sub(last))
		last = now
		n, ok := slowmoProfileRuntime.GoroutineProfile(records)
		for !ok {
			records = make([]slowmoProfileRuntime.StackRecord, n+n/4+16)
			n, ok = slowmoProfileRuntime.GoroutineProfile(records)
		}
		for i := range records[:n] {
			pcs := records[i].Stack()
			key := make([]byte, 0, 8*len(pcs))
			for _, pc := range pcs {
				key = slowmoProfileStrconv.AppendUint(key, uint64(pc), 36)
				key = append(key, ' ')
			}
			if s := slowmoProfileWall[string(key)]; s != nil {
				s.ns += dt
			} else if len(slowmoProfileWall) < ` + "50000" + ` {
				slowmoProfileWall[string(key)] = &slowmoProfileStack{append([]uintptr(nil), pcs...), dt}
			}
		}
	}
}

func slowmoProfileWrite() {
	out := slowmoProfileOut
	if out == nil {
		return
	}
	slowmoProfileOut = nil
	if slowmoProfileLeak != "" {
		slowmoProfileLeaks(out)
	}
	close(slowmoProfileStop)
	<-slowmoProfileDone
	if slowmoProfileWants("cpu") {
		slowmoProfilePprof.StopCPUProfile()
		slowmoProfileSection(out, "cpu", slowmoProfileCPU.Bytes())
	}
	for _, name := range []string{"block", "mutex", "goroutine"} {
		var b slowmoProfileBytes.Buffer
		if !slowmoProfileWants(name) && (name != "goroutine" || slowmoProfileOnly == "leak") {
			continue
		}
		if p := slowmoProfilePprof.Lookup(name); p != nil && p.WriteTo(&b, 0) == nil {
			slowmoProfileSection(out, name, b.Bytes())
		}
	}
	if !slowmoProfileWants("wall") {
		out.Close()
		return
	}
	var w slowmoProfileBytes.Buffer
	w.WriteString("period ` + "10000000" + `\n")
	for _, s := range slowmoProfileWall {
		w.WriteString("s " + slowmoProfileStrconv.FormatInt(s.ns, 10) + "\n")
		frames := slowmoProfileRuntime.CallersFrames(s.pcs)
		for {
			f, more := frames.Next()
			if f.Function != "" {
				w.WriteString("f " + f.Function + "\t" + f.File + "\t" + slowmoProfileStrconv.Itoa(f.Line) + "\n")
			}
			if !more {
				break
			}
		}
	}
	slowmoProfileSection(out, "wall", w.Bytes())
	out.Close()
}

func slowmoProfileLeaks(out *slowmoProfileOS.File) {
	p := slowmoProfilePprof.Lookup("goroutineleak")
	if p == nil {
		slowmoProfileSection(out, "leak-unavailable", nil)
		return
	}
	report := make(chan []byte)
	go slowmoProfileLeakCheck(p, report)
	if b := <-report; b != nil {
		slowmoProfileSection(out, "leak", b)
	} else {
		slowmoProfileSection(out, "leak-unavailable", nil)
	}
}

func slowmoProfileLeakCheck(p *slowmoProfilePprof.Profile, report chan<- []byte) {
	var b slowmoProfileBytes.Buffer
	if p.WriteTo(&b, 2) != nil {
		report <- nil
		return
	}
	report <- b.Bytes()
}

func slowmoProfileSection(out *slowmoProfileOS.File, name string, data []byte) {
	_, _ = out.WriteString(name + " " + slowmoProfileStrconv.Itoa(len(data)) + "\n")
	_, _ = out.Write(data)
}
`

// mainWrapper is the helper's main without the trace backend's helper; with
// it, the trace helper's main calls profiledMain instead (Prepare).
func mainWrapper(name string) string {
	return "\n//go:noinline\nfunc " + name + "() {\n\tdefer slowmoProfileWrite()\n\t" + userMain + "()\n}\n"
}

func helperSource(wrapper string) string {
	return "// Code added by slowmo-probe (profiles). DO NOT EDIT.\n\npackage main\n" + helperBody + mainWrapper(wrapper)
}

// BadInput is an error about the learner's program, not the probe.
type BadInput struct{ msg string }

func (e *BadInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return &BadInput{fmt.Sprintf(format, args...)} }

// IsBadInput says whether err is the user's to fix.
func IsBadInput(err error) bool {
	var b *BadInput
	return errors.As(err, &b)
}

// Prepare adds HelperFile to the main package in dir, in place. Alone, it
// renames the learner's func main to slowmoUserMain (only the name changes,
// so every line stays where it was) and the helper's main calls it. After
// the trace backend's trace-prepare (which renamed it so already), the trace
// helper's main is made to call the profile helper's wrapper instead, which
// calls the learner's: the tracer starts first and stops last.
func Prepare(dir string) error {
	traceHelper := filepath.Join(dir, traceHelperFile)
	if src, err := os.ReadFile(traceHelper); err == nil {
		call := "\t" + userMain + "()\n"
		i := strings.LastIndex(string(src), call)
		if i < 0 {
			return fmt.Errorf("%s: no call of %s to wrap", traceHelperFile, userMain)
		}
		patched := string(src[:i]) + "\t" + profiledMain + "()\n" + string(src[i+len(call):])
		if err := os.WriteFile(traceHelper, []byte(patched), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, HelperFile), []byte(helperSource(profiledMain)), 0o644)
	}
	if err := renameMain(dir); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, HelperFile), []byte(helperSource("main")), 0o644)
}

// renameMain renames the func main of package main in dir to userMain.
func renameMain(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return bad("%v", err)
	}
	fset := token.NewFileSet()
	found := ""
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == HelperFile {
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
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "main" {
				continue
			}
			if found != "" {
				return bad("func main is declared twice (%s and %s)", found, name)
			}
			found = name
			off := fset.Position(fn.Name.Pos()).Offset
			var out bytes.Buffer
			out.Write(src[:off])
			out.WriteString(userMain)
			out.Write(src[off+len("main"):])
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	if found == "" {
		return bad("no func main in package main in %s", dir)
	}
	return nil
}

// IsHelperFrame says whether a frame is the helpers' own code (never the
// learner's): a frame in one of their files.
func IsHelperFrame(file string) bool {
	base := filepath.Base(file)
	return base == HelperFile || base == traceHelperFile || strings.HasPrefix(base, "0001_slowmo_")
}

// LearnerName undoes the renaming of the learner's main in a function's name.
func LearnerName(fn string) string {
	if rest, ok := strings.CutPrefix(fn, "main."+userMain); ok {
		return "main.main" + rest
	}
	return fn
}
