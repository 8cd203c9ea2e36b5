package trace

import (
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/sysmon"
)

// DefaultGCMaxObjects is the most objects a heap may hold for the GC lens
// to dump it (the eBPF lens's bound, probe.GCMaxObjects, in allocations).
const DefaultGCMaxObjects = 20000

// DefaultPeriod is the tracer's generation period the program runs with
// (GODEBUG=traceadvanceperiod): events reach the probe one generation
// late, so this is about the live lag. The runtime's default is 1 s.
const DefaultPeriod = 10 * time.Millisecond

// Options of one traced run.
type Options struct {
	Binary  string // built with the helper (Build, or Prepare and go build)
	Args    []string
	Procs   int           // GOMAXPROCS; 0 means the number of CPUs
	Timeout time.Duration // 0 means none
	// Godebug is the learner's GODEBUG settings; launch.Godebug joins the tracer's own after them.
	Godebug string
	Period  time.Duration // generation period; 0 means DefaultPeriod
	Out     io.Writer     // NDJSON events
	// Launcher, when set, is the command line the program runs under (it
	// must keep fd 3 open and end by exec'ing what it is given), and
	// InsidePath the binary's path as the launcher's sandbox sees it.
	Launcher   []string
	InsidePath string
	// Stop, when closed, kills the program; run.end then says "stopped".
	Stop <-chan struct{}
	// SourceDir, when set, replaces BuildDir at the start of every file name
	// (Build compiles a copy of the learner's directory).
	BuildDir, SourceDir string
	// Stats, if not nil, receives what the run measured.
	Stats *Stats
	// Log receives notes for a human (stderr); nil discards them.
	Log io.Writer
	// OutputLimit, when above 0, ends the run "output-limit" as soon as the
	// program has written more than this many bytes.
	OutputLimit int64
	// GC turns on the GC lens: heap dumps the program takes (dumphelper.go;
	// the binary must be built with BuildGC or PrepareGC), up to heaps of
	// GCMaxObjects objects (0: DefaultGCMaxObjects).
	GC           bool
	GCMaxObjects int
	// Running, when set, is told as the program stops running, stopped for
	// back-pressure (throttle.go) or ended (its last events may still be on
	// their way), and as it goes on, so that a watcher's wall clock counts
	// only the program's time.
	Running func(running bool)
	// Profile collects the runtime's profiles of a program built with the
	// profile helper too (internal/profile) and sends them as `profile`
	// events before run.end; ProfileDir, when not "", gets them as pprof files.
	Profile    bool
	ProfileDir string
	// Leak sends the runtime's own goroutine leak report (internal/profile/leak.go)
	// as `leak.report` before run.end, with or without the profiles.
	Leak bool

	profileW *os.File // the program's end of the profile pipe
}

// Stats of one run: how many trace events were read and how late they
// reached the probe (the time read minus the event's own timestamp).
type Stats struct {
	TraceEvents int
	Emitted     int
	MeanLag     time.Duration
	MaxLag      time.Duration
	Truncated   bool // the program ended without stopping the tracer: its last generation is lost
	// Throttled is how long the program was stopped for back-pressure, in Stops stops.
	Throttled time.Duration
	Stops     int
	// Collapsed counts the runtime goroutines' stops left out with the run that followed (collapse.go).
	Collapsed int
}

// binaryInfo checks that path is a Go program of a supported release built
// with the helper, and returns its Go version and minor version.
func binaryInfo(path string) (string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, bad("%v", err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return "", 0, bad("%s: not an ELF executable", path)
	}
	defer ef.Close()
	info, err := buildinfo.Read(f)
	if err != nil {
		return "", 0, bad("%s: not built by Go (%v)", path, err)
	}
	v := strings.TrimPrefix(info.GoVersion, "go")
	major, rest, _ := strings.Cut(v, ".")
	minorStr, _, _ := strings.Cut(rest, ".")
	minor, err := strconv.Atoi(minorStr)
	if major != "1" || err != nil || minor < 22 {
		return "", 0, bad("%s: built with %s; the trace backend needs Go 1.22 or later", path, info.GoVersion)
	}
	if syms, err := ef.Symbols(); err == nil {
		found := false
		for _, s := range syms {
			if s.Name == marker {
				found = true
				break
			}
		}
		if !found {
			return "", 0, bad("%s: built without the trace helper: use slowmo-probe trace --build DIR, or slowmo-probe trace-prepare DIR before go build", path)
		}
	}
	return info.GoVersion, minor, nil
}

// Run runs the program with the tracer on and writes its events, ending
// with run.end, to opts.Out. Errors before the program starts are returned
// and nothing is written.
func Run(opts Options) error {
	goVersion, minor, err := binaryInfo(opts.Binary)
	if err != nil {
		return err
	}
	if opts.Procs <= 0 {
		opts.Procs = runtime.NumCPU()
	}
	if opts.Period <= 0 {
		opts.Period = DefaultPeriod
	}
	if opts.GC && opts.GCMaxObjects <= 0 {
		opts.GCMaxObjects = DefaultGCMaxObjects
	}
	var profiles func() [][]stream.Field
	var leak func() []stream.Field
	if opts.Profile || opts.Leak {
		col, w, err := profile.Start()
		if err != nil {
			return err
		}
		defer col.Close()
		opts.profileW = w
		if opts.Profile {
			profiles = col.Events(opts.ProfileDir, opts.Log)
		}
		if opts.Leak {
			leak = col.LeakEvent(opts.Log)
		}
	}
	began := stream.Monotonic()
	tr, err := start(opts, minor, stream.NewWriter(opts.Out, began))
	if err != nil {
		return err
	}
	startFields := []stream.Field{stream.F("goVersion", goVersion), stream.F("gomaxprocs", opts.Procs),
		stream.F("backend", "trace"),
		stream.F("fidelity", map[string]bool{"runq": false, "runnext": false, "steals": false, "lines": false})}
	if opts.GC {
		startFields = append(startFields, stream.F("gcLens", map[string]any{
			"perSpan": false, "maxObjects": opts.GCMaxObjects, "source": "dumps"}))
	}
	return stream.Loop(stream.Config{
		Out:     tr.w,
		Start:   startFields,
		Timeout: opts.Timeout, Stop: opts.Stop, OutputLimit: opts.OutputLimit,
		Launched: len(opts.Launcher) > 0, Tick: 5 * time.Millisecond, Profiles: profiles, Leak: leak,
	}, tr.prog, tr)
}

// start starts the program with its trace piped to us and watched for
// back-pressure (throttle.go), and gets its trace's mapping ready.
func start(opts Options, minor int, w *stream.Writer) (*tracing, error) {
	godebug := launch.Godebug(opts.Godebug, "traceadvanceperiod="+strconv.FormatInt(opts.Period.Nanoseconds(), 10))
	target := launch.Target{Binary: opts.Binary, Args: opts.Args, Launcher: opts.Launcher, Inside: opts.InsidePath,
		Env: launch.Env(len(opts.Launcher) > 0, opts.Procs, godebug, FDEnv+"=3")}
	traceR, traceW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	extra := []*os.File{traceW}
	var dumpR *os.File
	if opts.GC {
		// The heap dumps' pipe is the program's fd 4 (dumphelper.go).
		var dumpW *os.File
		if dumpR, dumpW, err = os.Pipe(); err != nil {
			traceR.Close()
			traceW.Close()
			return nil, err
		}
		extra = append(extra, dumpW)
		target.Env = append(target.Env, DumpFDEnv+"=4", DumpMaxEnv+"="+strconv.Itoa(opts.GCMaxObjects))
	}
	if opts.profileW != nil {
		target.Env = append(target.Env, profile.FDEnv+"="+strconv.Itoa(3+len(extra)))
		target.Env = append(target.Env, profile.LeakEnvFor(opts.Profile, opts.Leak)...)
		extra = append(extra, opts.profileW)
	}
	prog, err := launch.Start(target.Command(target.Path()), extra...)
	if err != nil {
		traceR.Close()
		if dumpR != nil {
			dumpR.Close()
		}
		return nil, bad("%v", err)
	}
	tr := &tracing{opts: opts, w: w, prog: prog, traceR: traceR,
		// Output that the trace has not caught up with goes anyway once no
		// trace has come for a few generations (Ahead).
		hold: uint64(max(time.Second, 4*opts.Period))}
	// The program's pid: not the launcher's (a sandbox dies of SIGQUIT and
	// takes the program with it, and stopping it would not stop the program).
	program := func() int {
		if !target.Launched() {
			return prog.Cmd.Process.Pid
		}
		return launch.FindProgram(prog.Cmd.Process.Pid, target.Path())
	}
	tr.program = program
	tr.throttle = newThrottle(traceR, program, func(pid int) func() error { return sysmon.Resetter(opts.Binary, pid) }, opts.Running, dumpR != nil)
	// The runtime's churn that shows nothing is left out (collapse.go).
	tr.collapse = newCollapser(emitTo(w))
	tr.mapper = newMapper(minor, tr.collapse.Emit)
	if opts.BuildDir != "" && opts.SourceDir != "" {
		from, to := opts.BuildDir+string(filepath.Separator), opts.SourceDir+string(filepath.Separator)
		tr.mapper.file = func(f string) string {
			if rest, ok := strings.CutPrefix(f, from); ok {
				return to + rest
			}
			return f
		}
	}
	if dumpR != nil {
		tr.dumpR = dumpR
		tr.mapper.dumps, tr.mapper.maxObjects = newDumpQueue(), opts.GCMaxObjects
		go readDumps(dumpR, newDumpDiffer(opts.GCMaxObjects, tr.mapper.file), tr.mapper.dumps, tr.logf)
	}
	// The reader holds a generation whole before it returns its first event;
	// the program writes the pipe, and can make one without end.
	// The throttle looks at the pipe before and after each read (the probe
	// may have caught up) and every few hundred events written out (it may
	// have fallen behind), besides its own ticks: on a busy machine a tick
	// comes late, and a busy program makes thousands of events a millisecond.
	tr.gap = &gapReader{r: traceR, max: maxTraceGap, before: tr.throttle.beforeRead, after: tr.throttle.check}
	return tr, nil
}

// emitTo writes the mapper's events to w, marking those it inferred.
func emitTo(w *stream.Writer) func(ts int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field) {
	return func(ts int64, kind string, m, p, g int64, inferred bool, fields ...stream.Field) {
		if inferred {
			fields = append(fields, stream.F("inferred", true))
		}
		w.Emit(ts, kind, m, p, g, fields...)
	}
}

// maxTraceGap bounds the trace the reader may take in before it returns an
// event: about one generation, which it holds whole. The runtime's tracer
// makes about 4 bytes an event, so this is millions of events (more than
// the bridge lets a run deliver by default), in a generation the tracer
// was too busy to end; or a program that writes the tracer's pipe itself.
const maxTraceGap = 16 << 20

var errTraceTooBig = fmt.Errorf("the program's trace grew past %d MiB with no event to show: more scheduling than the trace backend can follow at once; the run is stopped as if at its event limit", maxTraceGap>>20)

// gapReader fails once more than max bytes were read since read was last reset.
type gapReader struct {
	r         io.Reader
	read, max int64
	over      bool
	// reads counts the Reads begun; waiting says one is under way (for waitTrace).
	reads   atomic.Int64
	waiting atomic.Bool
	// before and after, when set, are called before and after each read.
	before, after func()
}

func (g *gapReader) Read(p []byte) (int, error) {
	if g.read > g.max {
		g.over = true
		return 0, errTraceTooBig
	}
	if g.before != nil {
		g.before()
	}
	g.reads.Add(1)
	g.waiting.Store(true)
	n, err := g.r.Read(p)
	g.waiting.Store(false)
	g.read += int64(n)
	if g.after != nil {
		g.after()
	}
	return n, err
}

// waitTrace waits for the trace reader to end (done) after the program has
// ended, and calls abandon once the reader has waited on one Read of the
// pipe for patience: a child of the program holds the pipe open.
func waitTrace(done <-chan error, gap *gapReader, patience time.Duration, abandon func()) error {
	tick := time.NewTicker(patience / 20)
	defer tick.Stop()
	reads, since := int64(-1), time.Now()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if n := gap.reads.Load(); n != reads || !gap.waiting.Load() {
				reads, since = n, time.Now()
			} else if time.Since(since) >= patience {
				abandon()
				return <-done
			}
		}
	}
}
