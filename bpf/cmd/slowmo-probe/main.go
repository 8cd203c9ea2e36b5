// Command slowmo-probe is the probe side of go-slowmo: it runs a compiled Go
// program under eBPF uprobes on its scheduler and writes the normalized event
// stream (docs/ARCHITECTURE.md, "The event model") as NDJSON on stdout.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go-slowmo.dev/bpf"

	"go-slowmo.dev/bpf/internal/capability"
	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/perturb"
	"go-slowmo.dev/bpf/internal/probe"
	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/trace"
)

const usage = `usage: slowmo-probe COMMAND

commands:
  run [--procs N] [--timeout S] [--output-limit BYTES] [--pace N [--sysmon MODE]]
      [--launcher JSON --inside PATH] [--dir DIR] [--all-snapshots] [--clock-fd N]
      -- BINARY [ARGS]
           run a Go program (built with plain go build) under the probes;
           events as NDJSON on stdout, ending with run.end. --pace stops the
           program at each event and delivers N events per second (0: start
           paused); commands on stdin: step, stepline [N] (until a goroutine
           reaches another line of the program, at most N events, default
           2000), pause, resume, speed N. --sysmon hide-pauses (default)
           keeps sysmon from counting the pauses as the program's time;
           see-pauses lets it, as if the program were that slow (it then
           preempts long-running goroutines); run.start says which.
           --launcher runs the program under a command line (a JSON array,
           e.g. a sandbox) that ends by exec'ing what it is given; --inside
           is the binary's path as that sandbox sees it. --output-limit
           stops the program as soon as it has written more than BYTES
           (stdout and stderr together); run.end says output-limit.
           --dir is the directory the program starts in.
           --all-snapshots sends every runq and globalq snapshot the probes
           take; by default one that the events before it already imply is
           left out, but for a sample (about 2% of the events).
           A reader of stdout slower than the program slows it: the probe
           stops the program rather than lose events, and run.end says for
           how long (throttledMs; --timeout does not count that time).
           --clock-fd N writes {"running":false} to file descriptor N as
           the program stops running (stopped so, or ended) and
           {"running":true} as it goes on, one per line, so that a watcher's
           wall clock counts only the program's time
  trace [--procs N] [--timeout S] [--output-limit BYTES] [--period MS]
        [--launcher JSON --inside PATH] [--clock-fd N]
        (--build DIR | -- BINARY) [ARGS]
           the unprivileged backend: run the program with Go's execution
           tracer on and write the same NDJSON events (what the tracer cannot
           see is left out or marked inferred; see run.start's fidelity).
           --build DIR builds the main package in DIR (with the go on PATH;
           GOTOOLCHAIN picks the release) with the tracer helper added; a
           BINARY must have been built from sources given to trace-prepare.
           As with run, a reader slower than the program slows it (stopped
           while the probe is behind its trace; throttledMs), and --clock-fd
           says when it stops and goes on. --gc: the GC lens from heap
           dumps the program takes (as main begins and returns, around each
           runtime.GC() call, soon after each other cycle): objects, pointers
           and frees reconstructed, no marking seen; the binary built with
           trace-prepare --gc (or --build); --gc-max-objects N bounds the heap
  trace-prepare [--gc] DIR
           add the tracer helper to the main package in DIR (in place), for
           a build of your own; --gc adds the GC lens's heap dump helper
  preload [--ready-fd N]
           load the probes now, before the program is built, and wait on
           stdin for one line: the arguments of run as a JSON array of
           strings; then run them as run does, the rest of stdin being the
           run's commands. Loading takes a few hundred ms: a bridge starts
           this while it builds, or between runs. --ready-fd N: write a line
           to file descriptor N once loaded (closed without one if the load
           failed). Stdin closed before the arguments came: exit 0
  profile-prepare DIR
           add the profile helper to the main package in DIR (in place;
           after trace-prepare when both are wanted), so that run or trace
           --profile can collect the program's profiles
  perturb-prepare DIR FILE:LINE:yield|FILE:LINE:sleep=DURATION...
           perturb the schedule (in place, before the other prepares): at
           the start of the statement on each LINE of FILE (relative to
           DIR) the program yields (runtime.Gosched) or sleeps (e.g.
           sleep=1ms, at most 1s), through a helper file; no line moves.
           A line that starts no statement inside a function body is
           refused (exit 2) with what the line is and lines that would do
  check    say whether eBPF probes can be loaded here (JSON on stdout; exit 0 if yes, 3 if not)
  versions list the supported Go releases and whether each toolchain is installed

run and trace both take --profile: the program (built after
profile-prepare) collects the runtime's profiles (cpu, block, mutex,
goroutines, wall clock), sent as profile events before run.end once its
main returns;
--profile-dir DIR (which implies --profile) writes them as DIR/KIND.pprof
too, for go tool pprof.
--leak (also after profile-prepare) sends the runtime's own goroutine
leak report as main returns, a leak.report event before run.end: the
goroutines its GC found blocked on what nothing runnable can reach (Go 1.26
built with GOEXPERIMENT=goroutineleakprofile, or 1.27; available false
before).

Exit codes: 0 the run was recorded (whatever the program's own exit code:
see run.end), 1 the probe failed while running, 2 bad input or no privilege.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		os.Exit(run(os.Args[2:], nil, os.Stdin))
	case "trace":
		os.Exit(runTrace(os.Args[2:]))
	case "preload":
		os.Exit(preload(os.Args[2:]))
	case "trace-prepare":
		// --gc adds the GC lens's helper (heap dumps) too.
		prepare, args := trace.Prepare, os.Args[2:]
		if len(args) == 2 && args[0] == "--gc" {
			prepare, args = trace.PrepareGC, args[1:]
		}
		if len(args) != 1 {
			fmt.Fprintln(os.Stderr, "slowmo-probe trace-prepare: name the directory: slowmo-probe trace-prepare [--gc] DIR")
			os.Exit(2)
		}
		if err := prepare(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, "slowmo-probe trace-prepare:", err)
			os.Exit(2)
		}
	case "profile-prepare":
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "slowmo-probe profile-prepare: name the directory: slowmo-probe profile-prepare DIR")
			os.Exit(2)
		}
		if err := profile.Prepare(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "slowmo-probe profile-prepare:", err)
			os.Exit(2)
		}
	case "perturb-prepare":
		os.Exit(perturbPrepare(os.Args[2:]))
	case "check":
		os.Exit(check())
	case "versions":
		os.Exit(versions())
	case launch.ExecHelper:
		launch.Helper(os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "slowmo-probe: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

// perturbPrepare is `perturb-prepare DIR AT...`: 0 done, 2 bad input.
func perturbPrepare(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "slowmo-probe perturb-prepare: name the directory and the lines: slowmo-probe perturb-prepare DIR main.go:12:yield")
		return 2
	}
	ats := make([]perturb.At, 0, len(args)-1)
	for _, s := range args[1:] {
		at, err := perturb.ParseAt(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "slowmo-probe perturb-prepare:", err)
			return 2
		}
		ats = append(ats, at)
	}
	if err := perturb.Prepare(args[0], ats); err != nil {
		fmt.Fprintln(os.Stderr, "slowmo-probe perturb-prepare:", err)
		return 2
	}
	return 0
}

// shared are the options run and trace both take.
type shared struct {
	command      string
	procs        *int
	timeout      *float64
	outputLimit  *int64
	launcherJSON *string
	inside       *string
	clockFD      *int
	godebug      *string
	profile      *bool
	profileDir   *string
	leak         *bool
	// Once checked:
	launcher []string
	running  func(running bool)
}

func sharedFlags(command string, fs *flag.FlagSet) *shared {
	return &shared{
		command:      command,
		procs:        fs.Int("procs", 0, "GOMAXPROCS for the program (default: the number of CPUs)"),
		timeout:      fs.Float64("timeout", 0, "stop the program after this many seconds (0: no limit)"),
		outputLimit:  fs.Int64("output-limit", 0, "stop the program once it has written more than this many bytes (0: no limit)"),
		launcherJSON: fs.String("launcher", "", "run the program under this command line (JSON array of strings)"),
		inside:       fs.String("inside", "", "with --launcher: the program's path inside the launcher's sandbox"),
		clockFD:      fs.Int("clock-fd", -1, "write {\"running\":false|true} lines to this file descriptor as the program stops running (back-pressure, its end) and goes on"),
		profile:      fs.Bool("profile", false, "collect the program's profiles (built after profile-prepare) as profile events"),
		profileDir:   fs.String("profile-dir", "", "with --profile (implied): write the profiles as pprof files into this directory"),
		leak:         fs.Bool("leak", false, "send the runtime's own goroutine leak report as main returns (built after profile-prepare; Go 1.26 with GOEXPERIMENT=goroutineleakprofile, or 1.27) as a leak.report event"),
		godebug:      fs.String("godebug", "", "GODEBUG settings for the program, e.g. schedtrace=100,gctrace=1 (the probe's own settings win over them)"),
	}
}

// check checks the shared options, opens --clock-fd and reads --launcher,
// saying what is wrong in one line when it cannot.
func (o *shared) check() bool {
	if *o.launcherJSON != "" {
		if err := json.Unmarshal([]byte(*o.launcherJSON), &o.launcher); err != nil || len(o.launcher) == 0 {
			o.fail("--launcher: give a non-empty JSON array of strings, e.g. [\"bwrap\",\"--die-with-parent\"]")
			return false
		}
	}
	var ok bool
	if o.running, ok = clockReport(o.command, *o.clockFD); !ok {
		return false
	}
	if *o.procs < 0 || *o.procs > 1024 {
		o.fail("--procs %d: must be between 1 and 1024", *o.procs)
		return false
	}
	if *o.outputLimit < 0 {
		o.fail("--output-limit %d: give bytes, 0 for no limit", *o.outputLimit)
		return false
	}
	if err := launch.CheckGodebug(*o.godebug); err != nil {
		o.fail("--godebug: %v", err)
		return false
	}
	if *o.profileDir != "" {
		if st, err := os.Stat(*o.profileDir); err != nil || !st.IsDir() {
			o.fail("--profile-dir %s: not a directory", *o.profileDir)
			return false
		}
		*o.profile = true
	}
	return true
}

func (o *shared) fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "slowmo-probe %s: %s\n", o.command, fmt.Sprintf(format, args...))
}

func (o *shared) timeoutDuration() time.Duration {
	return time.Duration(*o.timeout * float64(time.Second))
}

// stopOnSignal: SIGTERM or Ctrl-C stops the program, and the run still ends with run.end.
func stopOnSignal() <-chan struct{} {
	stop := make(chan struct{})
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		close(stop)
	}()
	return stop
}

func check() int {
	r := capability.Probe()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "slowmo-probe:", err)
		return 1
	}
	if !r.Available {
		return 3
	}
	return 0
}

// preload loads the probes and waits for the run's arguments on stdin.
func preload(args []string) int {
	fs := flag.NewFlagSet("preload", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	readyFD := fs.Int("ready-fd", -1, "write a line to this file descriptor once the probes are loaded, and close it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "slowmo-probe preload: the run's arguments come on stdin, not on the command line")
		return 2
	}
	if r := capability.Probe(); !r.Available {
		fmt.Fprintln(os.Stderr, "slowmo-probe preload: eBPF is not available:", r.Why)
		return 2
	}
	loading := probe.StartLoad()
	defer loading.Close()
	if *readyFD >= 0 {
		ready := os.NewFile(uintptr(*readyFD), "ready")
		if ready == nil {
			fmt.Fprintf(os.Stderr, "slowmo-probe preload: --ready-fd %d: not an open file descriptor\n", *readyFD)
			return 2
		}
		go func() {
			// Closed without a line: the load failed, and the run will say why.
			if loading.Settled() == nil {
				_, _ = ready.WriteString("ready\n")
			}
			ready.Close()
		}()
	}
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return 0 // nobody wants the run
	}
	var runArgs []string
	if err := json.Unmarshal(line, &runArgs); err != nil {
		fmt.Fprintln(os.Stderr, `slowmo-probe preload: the first line on stdin must be the arguments of run as a JSON array of strings, e.g. ["--procs","2","--","./prog"]`)
		return 2
	}
	return run(runArgs, loading, in)
}

func run(args []string, loading *probe.Loading, control io.Reader) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	o := sharedFlags("run", fs)
	pace := fs.Float64("pace", -1, "paced mode: events per second (0: start paused); commands on stdin")
	sysmon := fs.String("sysmon", "", "paced mode: "+probe.SysmonHidePauses+" (default) or "+probe.SysmonSeePauses+": whether sysmon counts the pauses as the program's time")
	dir := fs.String("dir", "", "the directory the program starts in (default: this one)")
	allSnapshots := fs.Bool("all-snapshots", false, "send every run queue snapshot, also those the other events imply (to check them)")
	gc := fs.Bool("gc", false, "the GC lens: record the heap's objects, their marking and sweeping (heap.*, gc.color, gc.span)")
	gcMax := fs.Int("gc-max-objects", probe.GCMaxObjects, "with --gc: follow at most this many allocations, then say heap.limit")
	retSites := fs.Bool("ret-sites", false, "put the return probes on the RETs themselves (single-stepped), as before their emulated sites: for benchmarks")
	if err := fs.Parse(args); err != nil || !o.check() {
		return 2
	}
	switch {
	case fs.NArg() < 1:
		o.fail("name the program to run: slowmo-probe run [options] -- BINARY [ARGS]")
		return 2
	case *pace > 1e6:
		o.fail("--pace %g: at most 1000000 events per second", *pace)
		return 2
	case *gcMax < 1:
		o.fail("--gc-max-objects %d: give at least 1", *gcMax)
		return 2
	case *sysmon != "" && *pace < 0:
		o.fail("--sysmon applies to paced mode: give --pace too")
		return 2
	case *sysmon != "" && *sysmon != probe.SysmonHidePauses && *sysmon != probe.SysmonSeePauses:
		o.fail("--sysmon %q: use %s or %s", *sysmon, probe.SysmonHidePauses, probe.SysmonSeePauses)
		return 2
	}
	if loading == nil { // a preload has checked before loading
		if r := capability.Probe(); !r.Available {
			o.fail("eBPF is not available: %s", r.Why)
			return 2
		}
	}
	err := probe.Run(probe.Options{
		Binary: fs.Arg(0), Args: fs.Args()[1:], Dir: *dir,
		Procs: *o.procs, Timeout: o.timeoutDuration(), OutputLimit: *o.outputLimit,
		Godebug: *o.godebug, Out: os.Stdout, Running: o.running, Stop: stopOnSignal(),
		Launcher: o.launcher, InsidePath: *o.inside,

		Paced: *pace >= 0, Speed: *pace, Control: control,
		SysmonSeesPauses: *sysmon == probe.SysmonSeePauses,

		Preloaded: loading, RetSites: *retSites, AllSnapshots: *allSnapshots,
		GC: *gc, GCMaxObjects: *gcMax,
		Profile: *o.profile, ProfileDir: *o.profileDir, ProfileLog: os.Stderr, Leak: *o.leak,
	})
	return o.exit(err, probe.IsBadInput)
}

// exit reports how the run went: 0, or after saying what went wrong, 2 for
// bad input and 1 for the probe's own failure.
func (o *shared) exit(err error, badInput func(error) bool) int {
	if err == nil {
		return 0
	}
	o.fail("%v", err)
	if badInput(err) {
		return 2
	}
	return 1
}

// clockReport opens --clock-fd: nil when none (-1); false after saying why it cannot.
func clockReport(command string, fd int) (func(running bool), bool) {
	if fd < 0 {
		return nil, true
	}
	if fd <= 2 {
		fmt.Fprintf(os.Stderr, "slowmo-probe %s: --clock-fd %d: give a descriptor of its own, 3 or above (0-2 are stdin, stdout and stderr)\n", command, fd)
		return nil, false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		fmt.Fprintf(os.Stderr, "slowmo-probe %s: --clock-fd %d: not an open file descriptor (%v): open it for writing before starting the probe\n", command, fd, err)
		return nil, false
	}
	// The program must never inherit it: it could stop the watcher's clock.
	syscall.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "clock")
	return func(running bool) {
		line := []byte("{\"running\":false}\n")
		if running {
			line = []byte("{\"running\":true}\n")
		}
		_, _ = f.Write(line) // a watcher that went away does not stop the run
	}, true
}

// versions lists the supported releases; a toolchain is installed when the
// go command has it in its module cache (GOTOOLCHAIN downloads go there) or
// it is the local go itself.
func versions() int {
	local, _ := exec.Command("go", "env", "GOVERSION").Output()
	cache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	for _, v := range bpf.GoVersions() {
		state := "not installed (make setup installs it)"
		dir := filepath.Join(strings.TrimSpace(string(cache)), "golang.org", "toolchain@v0.0.1-"+v+".linux-amd64")
		if _, err := os.Stat(filepath.Join(dir, "bin", "go")); err == nil || strings.TrimSpace(string(local)) == v {
			state = "installed"
		}
		fmt.Printf("%-10s %s\n", v, state)
	}
	return 0
}

func runTrace(args []string) int {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	o := sharedFlags("trace", fs)
	period := fs.Float64("period", float64(trace.DefaultPeriod/time.Millisecond), "the tracer's generation period in ms (about the live lag)")
	build := fs.String("build", "", "build the main package in this directory with the tracer helper, and run it")
	gc := fs.Bool("gc", false, "the GC lens from heap dumps (the tracer does not see marking): objects, pointers and frees reconstructed (heap.*), the heap's size and goal (heap.size); the binary built with trace-prepare --gc, or --build")
	gcMax := fs.Int("gc-max-objects", trace.DefaultGCMaxObjects, "with --gc: dump heaps of at most this many objects, then say heap.limit")
	if err := fs.Parse(args); err != nil || !o.check() {
		return 2
	}
	if *gcMax < 1 {
		o.fail("--gc-max-objects %d: give at least 1", *gcMax)
		return 2
	}
	if *period < 1 || *period > 10000 {
		o.fail("--period %g: must be between 1 and 10000 ms", *period)
		return 2
	}
	opts := trace.Options{
		Procs: *o.procs, Timeout: o.timeoutDuration(), OutputLimit: *o.outputLimit,
		Godebug: *o.godebug, Out: os.Stdout, Running: o.running, Log: os.Stderr,
		Launcher: o.launcher, InsidePath: *o.inside,
		Period:  time.Duration(*period * float64(time.Millisecond)),
		Profile: *o.profile, ProfileDir: *o.profileDir, Leak: *o.leak,
		GC: *gc, GCMaxObjects: *gcMax,
	}
	if *build != "" && (*o.profile || *o.leak) {
		o.fail("--profile with --build: build with trace-prepare then profile-prepare, and give the binary")
		return 2
	}
	if *build != "" {
		work, err := os.MkdirTemp("", "slowmo-trace-")
		if err != nil {
			return o.exit(err, trace.IsBadInput)
		}
		defer os.RemoveAll(work)
		// The program may run as another user (a launcher): let it read the binary.
		_ = os.Chmod(work, 0o755)
		buildWith := trace.Build
		if *gc {
			buildWith = trace.BuildGC
		}
		if opts.Binary, err = buildWith(*build, work); err != nil {
			return o.exit(err, trace.IsBadInput)
		}
		opts.Args, opts.BuildDir = fs.Args(), trace.SourcesOf(opts.Binary)
		opts.SourceDir, _ = filepath.Abs(*build)
	} else {
		if fs.NArg() < 1 {
			o.fail("name the program: slowmo-probe trace [options] (--build DIR | -- BINARY) [ARGS]")
			return 2
		}
		opts.Binary, opts.Args = fs.Arg(0), fs.Args()[1:]
	}
	opts.Stop = stopOnSignal()
	return o.exit(trace.Run(opts), trace.IsBadInput)
}
