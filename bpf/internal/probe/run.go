package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/target"
)

// ExecHelper is the hidden subcommand that waits on fd 3 and then execs the
// target. Starting the target through it gives the loader the target's pid
// (exec keeps it) before the target runs its first instruction, so the
// probes filter on that pid and miss nothing from the start.
const ExecHelper = "__exec"

// Options of one recorded run.
type Options struct {
	Binary  string
	Args    []string
	Procs   int           // GOMAXPROCS; 0 means the number of CPUs
	Timeout time.Duration // 0 means none
	Out     io.Writer     // NDJSON events
	// Paced mode (pace.go): stop at each event, driven by commands on Control.
	Paced   bool
	Speed   float64 // events per second at the start; 0 starts paused
	Control io.Reader
	// SysmonSeesPauses leaves sysmon's records alone across pauses
	// (sysmon.go), so it preempts and retakes as in a really slow program.
	SysmonSeesPauses bool
	// Launcher, when set, is the command line the target runs under (launch.go),
	// and InsidePath the binary's path as the launcher's sandbox sees it.
	Launcher   []string
	InsidePath string
	// Stop, when closed, kills the target; run.end then says "stopped".
	Stop <-chan struct{}
	// OutputLimit, when above 0, ends the run "output-limit" as soon as the
	// program has written more than this many bytes.
	OutputLimit int64
	// Preloaded, when set, are the probes loaded ahead (preload.go); else Run loads them.
	Preloaded *Loading
	// Dir is the directory the program starts in; "" is the probe's own.
	Dir string
	// Running, when set, is told as the program stops running, stopped for
	// back-pressure (backpressure.go) or ended (false), and as it is
	// continued (true), so that a watcher's wall clock can count only the
	// program's time, as the probe's own Timeout does: not the time it was
	// held for its reader, nor the time its last events take to be read.
	Running func(running bool)
	// AllSnapshots sends every run queue snapshot the probes take, also
	// those the events already imply (snapshots.go): for checking the model
	// the normalizer keeps against the runtime's own queues.
	AllSnapshots bool
	// RetSites puts the return probes on the RETs themselves, single-stepped,
	// as before their emulated sites (returns.go): make bench compares.
	RetSites bool
}

// Run starts the target under the probes and writes its events, ending with
// run.end, to opts.Out. Errors before the target starts (bad binary, no
// eBPF) are returned and nothing is written.
func Run(opts Options) error {
	loading := opts.Preloaded
	if loading == nil {
		loading = StartLoad()
	}
	defer loading.Close() // when not handed over

	procs := opts.Procs
	if procs <= 0 {
		procs = runtime.NumCPU()
	}
	env := append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	if len(opts.Launcher) > 0 {
		env = sandboxEnv(procs)
	}
	if opts.Paced {
		// See pace.go: sysmon must not preempt a goroutine just because the program was stopped.
		godebug := "asyncpreemptoff=1"
		if old := os.Getenv("GODEBUG"); old != "" && len(opts.Launcher) == 0 {
			godebug = old + "," + godebug
		}
		env = append(env, "GODEBUG="+godebug)
	}
	// The sandbox starts first: it takes about as long as reading the binary
	// and attaching the probes to it, which go on meanwhile. The probes record
	// nothing until they follow the target's pid, known once it has started.
	type heldTarget struct {
		h              *held
		stdout, stderr *os.File
		err            error
	}
	starting := make(chan heldTarget, 1)
	go func() {
		h, stdout, stderr, err := startHeld(opts, opts.Binary, env)
		starting <- heldTarget{h, stdout, stderr, err}
	}()
	// A target that will not run after all: kill it as it stands.
	abandon := func(err error) error {
		if t := <-starting; t.err == nil {
			t.h.kill()
			t.h.release.Close()
			_ = t.h.cmd.Wait()
			t.stdout.Close()
			t.stderr.Close()
		}
		return err
	}
	bin, err := target.Open(opts.Binary)
	if err != nil {
		return abandon(err)
	}
	defer bin.Close()
	syms, err := bin.Symbols()
	if err != nil {
		return abandon(err)
	}
	waitReasons, err := bin.Strings("runtime.waitReasonStrings")
	if err != nil {
		return abandon(err)
	}
	stwReasons, _ := bin.Strings("runtime.stwReasonStrings") // only for naming; optional
	// Where sysmon keeps its records (sysmon.go), read from the DWARF beside
	// the attach, in the one pass over it that serves both (runtimeStructs).
	sysmonLayout := make(chan *sysmonTicks, 1)
	go func() {
		_, _ = bin.Structs(runtimeStructs...)
		sysmonLayout <- newSysmonTicks(bin, 0)
	}()
	probes, err := loading.Wait()
	if err == nil {
		defer probes.Close()
		probes.RetSites = opts.RetSites
		err = probes.Attach(bin, opts.Paced)
	}
	started := <-starting
	if started.err != nil {
		return started.err
	}
	h, stdout, stderr := started.h, started.stdout, started.stderr
	layout := <-sysmonLayout
	sysmonOf := func() *sysmonTicks { // the target's, for one user
		if layout == nil {
			return nil
		}
		t := *layout
		t.pid = h.pid
		return &t
	}
	cmd := h.cmd
	kill := h.kill
	if err == nil {
		err = probes.Follow(h.pid)
	}
	if err != nil {
		kill()
		h.release.Close()
		_ = cmd.Wait()
		stdout.Close()
		stderr.Close()
		return err
	}

	w := bufio.NewWriterSize(opts.Out, 1<<16)
	var mu sync.Mutex // the normalizer and writer are shared by the record and output readers
	var buf []byte
	var pace *pacer
	n := &normalizer{
		bin: bin, syms: syms, waitReasons: waitReasons, stwReasons: stwReasons,
		start: monotonic(), last: map[int64]string{}, funcs: map[[2]uint64]string{},
		goids: map[uint64]int64{}, injecting: map[uint32]*injection{}, snapshots: snapshotPolicy{all: opts.AllSnapshots},
		mstates: map[int64]string{}, pstates: map[int64]string{},
		emit: func(e *Event) {
			buf = e.AppendJSON(buf[:0])
			buf = append(buf, '\n')
			if pace != nil {
				pace.push(e, buf)
			} else {
				_, _ = w.Write(buf)
			}
		},
	}
	start := []Field{F("goVersion", bin.GoVersion), F("gomaxprocs", procs), F("backend", "ebpf"),
		F("fidelity", map[string]bool{"runq": true, "runnext": true, "steals": true, "lines": opts.Paced})}
	if opts.Paced {
		// So that the picture can say whether pauses count as the program's time.
		start = append(start, F("paced", map[string]string{"sysmon": SysmonMode(opts.SysmonSeesPauses)}))
	}
	n.event(n.start, "run.start", -1, -1, 0, start...)
	paceDone := make(chan struct{})
	if opts.Paced {
		if err := w.Flush(); err != nil {
			kill()
			return err
		}
		control := opts.Control
		if control == nil {
			control = strings.NewReader("")
		}
		pace = newPacer(w, probes, h.pid, opts.Speed)
		if !opts.SysmonSeesPauses {
			pace.ticks = sysmonOf()
		}
		go func() {
			pace.loop(&mu, control)
			close(paceDone)
		}()
	} else {
		close(paceDone)
	}

	// A slow reader of opts.Out slows the program instead of losing its events.
	throttle, err := startThrottle(probes, h.pid, sysmonOf(), opts.Running)
	if err != nil {
		kill()
		return err
	}

	// Release the target: the gate execs it now.
	if err := h.open(); err != nil {
		kill()
	}

	// Output reaches us sooner than the records of what the program did
	// before writing it (the ring buffer is read in batches), so output waits
	// until the records have caught up with its time (output.go).
	ending := NewEnding()
	out := &Output{
		Limit:   opts.OutputLimit,
		OnLimit: func() { ending.Limit("output-limit") },
		Emit: func(ts uint64, stream, data string) {
			n.event(ts, "output", -1, -1, 0, F("stream", stream), F("data", data))
		},
	}
	var pipes sync.WaitGroup
	forward := func(r io.Reader, stream string) {
		defer pipes.Done()
		ReadOutput(r, func(data string) {
			mu.Lock()
			out.Add(monotonic(), stream, data)
			mu.Unlock()
		})
	}
	stopTicker := make(chan struct{})
	go func() {
		tick := time.NewTicker(outputLag)
		defer tick.Stop()
		// The first picture is drawn from run.start: out at once, not at the
		// first tick (here, so that a reader not reading yet holds up no start).
		if pace == nil {
			mu.Lock()
			_ = w.Flush()
			mu.Unlock()
		}
		for {
			select {
			case <-stopTicker:
				return
			case <-tick.C:
				mu.Lock()
				out.Flush(monotonic() - uint64(outputLag))
				// Stream live: whoever reads us (the bridge) sees events within a tick.
				if pace == nil {
					_ = w.Flush()
				}
				mu.Unlock()
			}
		}
	}()
	pipes.Add(2)
	go forward(stdout, "stdout")
	go forward(stderr, "stderr")

	// The thread that last began to run main's goroutine, for Quit.
	var mainThread atomic.Int64
	mainThread.Store(int64(h.pid))
	recordsDone := make(chan error, 1)
	go func() {
		var rec ringbuf.Record
		for {
			if err := probes.Reader.ReadInto(&rec); err != nil {
				if errors.Is(err, ringbuf.ErrFlushed) || errors.Is(err, ringbuf.ErrClosed) {
					recordsDone <- nil
				} else {
					recordsDone <- err
				}
				return
			}
			r, err := decode(rec.RawSample)
			if err != nil {
				continue
			}
			if r.kind == kExecute && r.a[0] == 1 {
				mainThread.Store(int64(r.tid))
			}
			mu.Lock()
			out.Flush(r.ts)
			n.record(r)
			if pace != nil {
				// The probe that wrote r may have stopped the target even if r
				// made no event (a repeated snapshot or M state): let the pacer
				// decide whether to continue it.
				pace.poke()
			}
			mu.Unlock()
		}
	}()

	quit := func() bool {
		if pace != nil {
			// A paced program waits stopped at an event: let it run free to
			// print its stacks.
			mu.Lock()
			pace.mode = free
			_ = probes.SetPaced(false)
			pace.poke()
			mu.Unlock()
			ok := Quit(h.pid, int(mainThread.Load()))
			_ = syscall.Kill(h.pid, syscall.SIGCONT)
			return ok
		}
		ok := Quit(h.pid, int(mainThread.Load()))
		if throttle.stopped() {
			// Let it print its stacks; a record made meanwhile above the
			// high-water mark stops it again until the ring is read.
			_ = syscall.Kill(h.pid, syscall.SIGCONT)
		}
		return ok
	}
	// Time stopped for back-pressure is not the program's: it does not count against the timeout.
	ending.Uncounted = throttle.Stopped
	watched := ending.Watch(opts.Timeout, opts.Stop, quit, kill)
	pipes.Wait()
	stdout.Close()
	stderr.Close()
	waitErr := cmd.Wait()
	watched()
	throttle.close()
	// The process is gone: nothing more will be written. Read what is left, then stop.
	readErr := probes.Reader.Flush()
	if err := <-recordsDone; err != nil {
		readErr = err
	}

	exitCode, signal, err := ending.Exited(waitErr, len(opts.Launcher) > 0)
	if err != nil {
		return err
	}
	lost, err := probes.Lost()
	if err != nil {
		return err
	}
	if readErr != nil {
		ending.Failed()
	}
	close(stopTicker)
	mu.Lock()
	out.Flush(^uint64(0))
	var sig any
	if signal != "" {
		sig = signal
	}
	n.event(monotonic(), "run.end", -1, -1, 0, F("exitCode", exitCode), F("signal", sig),
		F("lost", int64(lost)), F("reason", ending.Reason()),
		F("throttledMs", throttle.Stopped().Milliseconds()))
	if pace != nil {
		pace.end()
	}
	mu.Unlock()
	<-paceDone
	mu.Lock()
	defer mu.Unlock()
	return w.Flush()
}

// outputLag is how long output may wait for the records of what came before it.
const outputLag = 25 * time.Millisecond

// ExecTarget is the helper's side: wait for the loader's go on fd 3, then become the target.
func ExecTarget(path string, args []string) error {
	gate := os.NewFile(3, "gate")
	one := make([]byte, 1)
	if _, err := gate.Read(one); err != nil {
		return fmt.Errorf("the probe went away before starting %s", path)
	}
	gate.Close()
	return syscall.Exec(path, append([]string{path}, args...), os.Environ())
}

func monotonic() uint64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return uint64(ts.Nano())
}

// IsBadInput says whether err is about the target binary (the user's to fix) rather than the probe.
func IsBadInput(err error) bool {
	var te *target.Error
	return errors.As(err, &te)
}
