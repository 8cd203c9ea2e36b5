package trace

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// The trace backend's GC lens: the execution tracer does not see the
// collector mark or sweep objects, so the program, built with a second
// helper file, writes heap dumps (runtime/debug.WriteHeapDump) to a pipe of
// the probe's at the moments it can see: as main begins and returns, around
// each runtime.GC() call of the program (rewritten on its own line to pass
// through the helper), and soon after each cycle the runtime starts by
// itself (a finalizer on an object left for garbage runs once a cycle has
// found it). Each dump is preceded by a line saying which moment it is.
// Every allocation is sampled by the memory profiler (MemProfileRate 1), so
// that the dumps say where each object was allocated.

// DumpHelperFile is the GC lens's helper file; it sorts after HelperFile and
// before any name a learner would give a file, so its package variable is
// initialized before the learner's are.
const DumpHelperFile = "0001_slowmo_heapdump.go"

// DumpFDEnv names the dump pipe's fd; DumpMaxEnv the most objects a heap
// may hold for the helper to dump it.
const (
	DumpFDEnv  = "SLOWMO_HEAPDUMP_FD"
	DumpMaxEnv = "SLOWMO_HEAPDUMP_MAX"
)

// maxDumps bounds the dumps of one run: each stops the world while the
// whole heap is written. Past it the helper stops dumping, and says so.
const maxDumps = 200

// dumpAsk is the helper's function that main waits in while a dump is
// taken: the mapper leaves that wait out of the picture.
const dumpAsk = "main.(*slowmoDumper).ask"

// dumpGoroutine is the helper's goroutine that takes the dumps (so that
// main's stack, waiting, is in them: a dump holds no running goroutine's).
const dumpGoroutine = "main.(*slowmoDumper).loop"

// dumpLogCategory is the category of the helper's trace log saying the
// heap grew past the bound: no more dumps.
const dumpLogCategory = "slowmo.gclens"

// dumpSTW is the reason of the stop of the world a heap dump makes.
const dumpSTW = "write heap dump"

const dumpHelperSource = `// Code added by slowmo-probe (trace backend, GC lens). DO NOT EDIT.

package main

import (
	slowmoContext "context"
	slowmoOS "os"
	slowmoRuntime "runtime"
	slowmoDebug "runtime/debug"
	slowmoMetrics "runtime/metrics"
	slowmoTrace "runtime/trace"
	slowmoStrconv "strconv"
	slowmoAtomic "sync/atomic"
)

// Initialized before the program's own package variables.
var slowmoDumps = slowmoDumpsStart()

type slowmoDumper struct {
	out     *slowmoOS.File
	max     uint64
	asks    chan slowmoDumpAsk
	cycles  chan struct{}
	last    uint64 // the last cycle dumped after
	taken   int
	done    bool // past a bound: no more dumps
	calls   slowmoAtomic.Int32 // runtime.GC() calls under way: their own dumps say the cycle
	samples []slowmoMetrics.Sample
}

type slowmoDumpAsk struct {
	moment, file string
	line         int
	done         chan struct{}
}

type slowmoSentinel struct{ _ *int }

func slowmoDumpsStart() *slowmoDumper {
	fd, err := slowmoStrconv.Atoi(slowmoOS.Getenv("` + DumpFDEnv + `"))
	if err != nil || fd < 3 {
		return nil
	}
	max, _ := slowmoStrconv.ParseUint(slowmoOS.Getenv("` + DumpMaxEnv + `"), 10, 64)
	slowmoOS.Unsetenv("` + DumpFDEnv + `")
	slowmoOS.Unsetenv("` + DumpMaxEnv + `")
	slowmoRuntime.MemProfileRate = 1
	d := &slowmoDumper{out: slowmoOS.NewFile(uintptr(fd), "heapdump"), max: max,
		asks: make(chan slowmoDumpAsk), cycles: make(chan struct{}, 1),
		samples: []slowmoMetrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/objects:objects"}}}
	go d.loop()
	d.watchCycle()
	slowmoAtMain = func() func() {
		d.ask("start", "", 0)
		return func() { d.ask("end", "", 0) }
	}
	return d
}

// watchCycle leaves an object for garbage with a finalizer, which runs once
// a cycle has found it so: then a dump is asked for, and a new one left.
func (d *slowmoDumper) watchCycle() {
	slowmoRuntime.SetFinalizer(&slowmoSentinel{}, func(*slowmoSentinel) {
		select {
		case d.cycles <- struct{}{}:
		default:
		}
		d.watchCycle()
	})
}

//go:noinline
func (d *slowmoDumper) ask(moment, file string, line int) {
	a := slowmoDumpAsk{moment: moment, file: file, line: line, done: make(chan struct{})}
	d.asks <- a
	<-a.done
}

func (d *slowmoDumper) loop() {
	for {
		select {
		case a := <-d.asks:
			d.dump(a.moment, a.file, a.line)
			close(a.done)
		case <-d.cycles:
			d.dump("cycle", "", 0)
		}
	}
}

func (d *slowmoDumper) dump(moment, file string, line int) {
	if d.done {
		return
	}
	slowmoMetrics.Read(d.samples)
	cycles, objects := d.samples[0].Value.Uint64(), d.samples[1].Value.Uint64()
	if moment == "cycle" && (cycles == d.last || d.calls.Load() > 0) {
		return
	}
	if moment == "cycle" || moment == "after-gc" {
		d.last = cycles
	}
	switch {
	case objects > d.max:
		// Said in the trace, at this moment; no dump follows.
		d.done = true
		slowmoTrace.Log(slowmoContext.Background(), "` + dumpLogCategory + `", "limit")
		return
	case d.taken >= ` + "%d" + `:
		d.done = true
		moment = "enough"
	}
	// The trace pipe's writer does not stop the program meanwhile (prepare.go).
	slowmoStopMu.Lock()
	defer slowmoStopMu.Unlock()
	b := []byte("slowmo-dump " + moment + " ")
	b = slowmoStrconv.AppendUint(b, cycles, 10)
	b = append(b, ' ')
	b = slowmoStrconv.AppendUint(b, objects, 10)
	b = append(b, ' ')
	b = slowmoStrconv.AppendInt(b, int64(line), 10)
	b = append(b, ' ')
	b = append(b, file...)
	b = append(b, '\n')
	if _, err := d.out.Write(b); err != nil {
		d.done = true
		return
	}
	if !d.done {
		d.taken++
		slowmoDebug.WriteHeapDump(d.out.Fd())
	}
}

// slowmoGC stands for the program's runtime.GC() calls: a dump before the
// collection and one after it.
func slowmoGC(gc func()) {
	if slowmoDumps == nil {
		gc()
		return
	}
	_, file, line, _ := slowmoRuntime.Caller(1)
	slowmoDumps.calls.Add(1)
	defer slowmoDumps.calls.Add(-1)
	slowmoDumps.ask("before-gc", file, line)
	gc()
	slowmoDumps.ask("after-gc", file, line)
}
`

// edit replaces del bytes at off with text.
type edit struct {
	off, del int
	text     string
}

// gcCallEdits rewrites f's calls runtime.GC() as slowmoGC(runtime.GC), on
// the same line (the runtime package under whatever name f imports it).
func gcCallEdits(fset *token.FileSet, f *ast.File) []edit {
	name := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "runtime" {
			name = "runtime"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" || name == "_" || name == "." {
		return nil
	}
	var edits []edit
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "GC" {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); !ok || id.Name != name {
			return true
		}
		if fset.Position(call.Lparen).Line != fset.Position(call.Rparen).Line {
			return true // the rewrite would move the lines below
		}
		edits = append(edits,
			edit{off: fset.Position(call.Fun.Pos()).Offset, text: "slowmoGC("},
			edit{off: fset.Position(call.Lparen).Offset, del: int(call.Rparen-call.Lparen) + 1, text: ")"})
		return true
	})
	return edits
}

// dumpHelper is the helper's source with its bound.
func dumpHelper() string {
	return strings.Replace(dumpHelperSource, "%d", strconv.Itoa(maxDumps), 1)
}
