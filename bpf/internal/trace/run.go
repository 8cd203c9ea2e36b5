package trace

import (
	"bufio"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	xtrace "golang.org/x/exp/trace"
	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/probe"
)

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
	// Running, when set, is told as the program stops running, stopped for
	// back-pressure (throttle.go) or ended (its last events may still be on
	// their way), and as it goes on, so that a watcher's wall clock counts
	// only the program's time.
	Running func(running bool)
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
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	procs := opts.Procs
	if procs <= 0 {
		procs = runtime.NumCPU()
	}
	period := opts.Period
	if period <= 0 {
		period = DefaultPeriod
	}
	godebug := "traceadvanceperiod=" + strconv.FormatInt(period.Nanoseconds(), 10)
	var env []string
	if len(opts.Launcher) == 0 {
		env = os.Environ()
		if old := os.Getenv("GODEBUG"); old != "" {
			godebug = old + "," + godebug
		}
	} else {
		// Nothing of the probe's own environment (it may hold the bridge's secrets).
		env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8"}
	}
	env = append(env, "GOMAXPROCS="+strconv.Itoa(procs), "GODEBUG="+godebug, FDEnv+"=3")

	var cmd *exec.Cmd
	if len(opts.Launcher) == 0 {
		cmd = exec.Command(opts.Binary, opts.Args...)
	} else {
		inside := opts.InsidePath
		if inside == "" {
			inside = opts.Binary
		}
		argv := append(append([]string{}, opts.Launcher[1:]...), inside)
		cmd = exec.Command(opts.Launcher[0], append(argv, opts.Args...)...)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	traceR, traceW, err := os.Pipe()
	if err != nil {
		return err
	}
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	cmd.ExtraFiles = []*os.File{traceW}

	w := bufio.NewWriterSize(opts.Out, 1<<16)
	var mu sync.Mutex // the mapper, the output queue and the writer
	var buf []byte
	var seq uint64
	var lastT int64
	start := int64(monotonic())
	emit := func(ts int64, kind string, m, p, g int64, inferred bool, fields ...probe.Field) {
		t := max(ts-start, lastT)
		lastT = t
		if inferred {
			fields = append(fields, probe.F("inferred", true))
		}
		e := probe.Event{Seq: seq, T: t, Kind: kind, M: m, P: p, G: g, Fields: fields}
		seq++
		buf = append(e.AppendJSON(buf[:0]), '\n')
		_, _ = w.Write(buf)
	}
	emit(start, "run.start", -1, -1, 0, false,
		probe.F("goVersion", goVersion), probe.F("gomaxprocs", procs), probe.F("backend", "trace"),
		probe.F("fidelity", map[string]bool{"runq": false, "runnext": false, "steals": false, "lines": false}))

	err = cmd.Start()
	traceW.Close()
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		traceR.Close()
		stdout.Close()
		stderr.Close()
		return bad("start %s: %v", cmd.Path, err)
	}
	// The program's pid: not the launcher's (a sandbox dies of SIGQUIT and
	// takes the program with it, and stopping it would not stop the program).
	program := func() int {
		if len(opts.Launcher) == 0 {
			return cmd.Process.Pid
		}
		inside := opts.InsidePath
		if inside == "" {
			inside = opts.Binary
		}
		return probe.FindProgram(cmd.Process.Pid, inside)
	}
	// A reader slower than the program stops it (throttle.go).
	throttle := newThrottle(traceR, program, func(pid int) func() error { return probe.SysmonReset(opts.Binary, pid) }, opts.Running)
	kill := func() {
		throttle.release()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	quit := func() bool {
		// A stopped program would print its stacks only once continued.
		throttle.release()
		pid := program()
		if pid == 0 {
			return false
		}
		// The trace comes too late to say which thread runs main's
		// goroutine: the main thread most likely does.
		return probe.Quit(pid, pid)
	}

	// Output reaches us before the trace of what the program did before
	// writing it (the trace comes a generation late): it waits until the
	// trace has caught up with its time, within bounds (probe.Output).
	ending := probe.NewEnding()
	out := &probe.Output{
		Limit:   opts.OutputLimit,
		OnLimit: func() { ending.Limit("output-limit") },
		Emit: func(ts uint64, stream, data string) {
			emit(int64(ts), "output", -1, -1, 0, false, probe.F("stream", stream), probe.F("data", data))
		},
	}
	var pipes sync.WaitGroup
	forward := func(r io.Reader, stream string) {
		defer pipes.Done()
		probe.ReadOutput(r, func(data string) {
			mu.Lock()
			out.Add(monotonic(), stream, data)
			mu.Unlock()
		})
	}
	pipes.Add(2)
	go forward(stdout, "stdout")
	go forward(stderr, "stderr")

	stats := &Stats{}
	// The runtime's churn that shows nothing is left out (collapse.go).
	collapse := newCollapser(emit)
	mapper := newMapper(minor, collapse.Emit)
	if opts.BuildDir != "" && opts.SourceDir != "" {
		from, to := opts.BuildDir+string(filepath.Separator), opts.SourceDir+string(filepath.Separator)
		mapper.file = func(f string) string {
			if rest, ok := strings.CutPrefix(f, from); ok {
				return to + rest
			}
			return f
		}
	}
	var lagSum time.Duration
	var lastEvent atomic.Uint64 // when the reader last returned an event (monotonic ns)
	traceDone := make(chan error, 1)
	sawTrace := false
	// The reader holds a generation whole before it returns its first event;
	// the program writes the pipe, and can make one without end.
	// The throttle looks at the pipe before and after each read (the probe
	// may have caught up) and every few hundred events written out (it may
	// have fallen behind), besides its own ticks: on a busy machine a tick
	// comes late, and a busy program makes thousands of events a millisecond.
	gap := &gapReader{r: traceR, max: maxTraceGap, before: throttle.beforeRead, after: throttle.check}
	readTrace := func() error {
		r, err := xtrace.NewReader(gap)
		if err != nil {
			return err
		}
		mu.Lock()
		sawTrace = true
		mu.Unlock()
		for {
			e, err := r.ReadEvent()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				return err
			}
			gap.read = 0
			lastEvent.Store(monotonic())
			now := time.Duration(monotonic())
			mu.Lock()
			lag := now - time.Duration(e.Time())
			lagSum += lag
			stats.MaxLag = max(stats.MaxLag, lag)
			stats.TraceEvents++
			out.Flush(uint64(e.Time()))
			mapper.handle(e)
			mu.Unlock()
			if stats.TraceEvents%throttleEvery == 0 {
				throttle.check()
			}
		}
	}
	go func() {
		err := readTrace()
		// Nobody reads the pipe any more: the program must not wait for that.
		throttle.release()
		if gap.over {
			// More events than a run may deliver, or no trace at all: stop the
			// program. (The reader does not always wrap the error it got.)
			err = errTraceTooBig
			logf("slowmo-probe trace: %v", err)
			ending.Limit("event-limit")
		}
		traceDone <- err
	}()
	// Stream live: whoever reads us sees each generation's events at once.
	// Output the trace has not caught up with goes anyway once no trace has
	// come for a few generations: the program stopped the tracer, or its
	// trace is abandoned.
	hold := uint64(max(time.Second, 4*period))
	stopTicker := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopTicker:
				return
			case <-tick.C:
				// Output goes out ahead of the trace only once the trace has
				// stopped coming (trace.Stop, an abandoned pipe): while it comes,
				// however far behind a slow reader keeps it, output waits for
				// its place (within probe.Output's bound), or every event after
				// it would be stamped with its time.
				now := monotonic()
				mu.Lock()
				if now-lastEvent.Load() >= hold {
					out.Flush(now - hold)
				}
				_ = w.Flush()
				mu.Unlock()
			}
		}
	}()

	// Time stopped for back-pressure is not the program's: it does not count against the timeout.
	ending.Uncounted = throttle.Stopped
	watched := ending.Watch(opts.Timeout, opts.Stop, quit, kill)
	pipes.Wait()
	stdout.Close()
	stderr.Close()
	waitErr := cmd.Wait()
	watched()
	throttle.close()
	if opts.Running != nil {
		opts.Running(false)
	}
	// The program is gone; its trace pipe ends when every copy of it is
	// closed (a child it started might hold one: do not wait for that long
	// once the reader waits on an empty pipe). The reader may still have
	// much to write out behind a slow reader of ours: that is waited for.
	traceErr := waitTrace(traceDone, gap, 2*time.Second, func() { traceR.Close() })
	traceR.Close()
	close(stopTicker)

	exitCode, signal, err := ending.Exited(waitErr, len(opts.Launcher) > 0)
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	switch {
	case !sawTrace:
		// The program never started the tracer (it died first, or the helper is missing).
		if exitCode == 0 {
			ending.Failed()
		}
		logf("slowmo-probe trace: the program wrote no trace (%v)", traceErr)
	case traceErr == errTraceTooBig:
		stats.Truncated = true
	case traceErr != nil:
		// Ended without trace.Stop (os.Exit, a crash, a kill): the generation
		// in progress never reached the pipe.
		stats.Truncated = true
		logf("slowmo-probe trace: the trace ends early (%v): the program exited without stopping the tracer, so its last %v of scheduling is missing", traceErr, period)
	}
	out.Flush(^uint64(0))
	var sig any
	if signal != "" {
		sig = signal
	}
	// lost: the tracer drops nothing (it allocates more buffers instead);
	// what a truncated trace misses is not counted in events and is said on stderr.
	collapse.flush()
	stats.Collapsed = collapse.collapsed
	stats.Throttled, stats.Stops = throttle.Stopped(), throttle.Stops()
	emit(int64(monotonic()), "run.end", -1, -1, 0, false, probe.F("exitCode", exitCode), probe.F("signal", sig),
		probe.F("lost", int64(0)), probe.F("reason", ending.Reason()),
		probe.F("throttledMs", stats.Throttled.Milliseconds()))
	if stats.TraceEvents > 0 {
		stats.MeanLag = lagSum / time.Duration(stats.TraceEvents)
	}
	stats.Emitted = int(seq)
	if opts.Stats != nil {
		*opts.Stats = *stats
	}
	return w.Flush()
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

func monotonic() uint64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return uint64(ts.Nano())
}
