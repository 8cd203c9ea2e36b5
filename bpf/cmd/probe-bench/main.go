// Command probe-bench measures what watching a program costs, side by side
// in one run on two programs (a channel ping-pong and a CPU-bound fan-out):
// plain, under slowmo-probe's eBPF backend (run), under its trace backend
// (trace: the execution tracer streamed live), and under the execution tracer
// alone (what `go tool trace` records). It first times loading the probes
// and counts what the verifier went through (load.go; `probe-bench PROBE
// load` prints that alone). It prints the slowdowns, each
// backend's cost per event, the event rate it sustained, how late its events
// reached a reader (live lag), and whether anything was lost; then what
// the GC lens (run --gc) costs per allocation, per marking event and per run
// (gc.go; `probe-bench PROBE gc` prints that alone), and what the runtime's
// profiles (--profile) cost on each backend, all and each alone
// (profiles.go; `probe-bench PROBE profiles`). Run by `make bench`.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/trace"
)

const runs = 5

// goal: per event on this kind of machine (one uprobe hit measures ~0.8 us here).
const goalNsPerEvent = 1500

// What the design expects of the trace backend (issue 6): the tracer costs
// the program about 80 ns per event, and events stream about 15 ms late with
// a short generation period.
const (
	designTraceNsPerEvent = 80
	designTraceLag        = 15 * time.Millisecond
)

var programs = map[string]string{
	// The fixed cost of watching anything (start, load, attach, symbols), subtracted from the others.
	"empty": "package main\n\nfunc main() {}\n",
	"pingpong": `package main

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	for i := 0; i < 20000; i++ {
		ping <- i
		<-pong
	}
}
`,
	"fanout": `package main

import "sync"

var sink [2000]int

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 2000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20000; j++ {
				sink[i] += j
			}
		}(i)
	}
	wg.Wait()
}
`,
	// A ping-pong that keeps to a schedule: round i starts no sooner than
	// i*ROUND_NS after the start (a busy wait on the clock, which makes no
	// events), so the event rate is what the schedule says as long as the
	// probe keeps up, whatever it costs per event.
	"rate": `package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	round, _ := strconv.Atoi(os.Getenv("ROUND_NS"))
	rounds, _ := strconv.Atoi(os.Getenv("ROUNDS"))
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		for time.Since(start) < time.Duration(i*round) {
		}
		ping <- i
		<-pong
	}
}
`,
}

// marked is added to every program: main calls mark first and, deferred,
// last. The two marks give the program's own running time (without process
// start and exit), and a mark seen in a watched run's output event places
// the stream's relative times (t) on this reader's clock: the probes stamp
// output with CLOCK_MONOTONIC when they read it, as the mark does when it
// writes it, so (mark - t) is when t=0 was, to the pipe's latency.
const marked = `package main

import (
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

func mark() {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	os.Stdout.WriteString("` + markPrefix + `" + strconv.FormatInt(ts.Nano(), 10) + "\n")
}
`

const markPrefix = "probe-bench-mark "

// traced starts the execution tracer at init, as a program watched by `go tool trace` would run.
const traced = `package main

import (
	"os"
	"runtime/trace"
)

func init() {
	f, err := os.Create(os.Getenv("TRACE_OUT"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	stopTrace = func() { trace.Stop(); f.Close() }
}
`

// How a program is built.
type variant int

const (
	plainBuild        variant = iota // go build
	tracerBuild                      // with runtime/trace to a file
	backendBuild                     // slowmo-probe trace-prepare, then go build: for slowmo-probe trace
	profileBuild                     // slowmo-probe profile-prepare, then go build: for run --profile
	profileTraceBuild                // trace-prepare and profile-prepare: for trace --profile
)

func build(probe, dir, name, src string, v variant) string {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	main := replaceOnce(src, "func main() {", "func main() {\n\tmark()\n\tdefer mark()")
	if v == tracerBuild {
		// Stop the tracer when main returns so the trace is complete.
		main += "\nvar stopTrace func()\n"
		main = replaceOnce(main, "func main() {", "func main() {\n\tdefer stopTrace()")
		write(filepath.Join(dir, "trace.go"), traced)
	}
	write(filepath.Join(dir, "main.go"), main)
	write(filepath.Join(dir, "mark.go"), marked)
	write(filepath.Join(dir, "go.mod"), "module prog\n\ngo 1.22\n")
	if v == backendBuild || v == profileTraceBuild {
		if out, err := exec.Command(probe, "trace-prepare", dir).CombinedOutput(); err != nil {
			fail(fmt.Errorf("trace-prepare %s: %v\n%s", name, err, out))
		}
	}
	if v == profileBuild || v == profileTraceBuild {
		if out, err := exec.Command(probe, "profile-prepare", dir).CombinedOutput(); err != nil {
			fail(fmt.Errorf("profile-prepare %s: %v\n%s", name, err, out))
		}
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		fail(fmt.Errorf("build %s: %v\n%s", name, err, out))
	}
	return bin
}

func replaceOnce(s, old, repl string) string {
	i := bytes.Index([]byte(s), []byte(old))
	return s[:i] + repl + s[i+len(old):]
}

func write(path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "probe-bench:", err)
	os.Exit(1)
}

func median(xs []time.Duration) time.Duration {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs[len(xs)/2]
}

func medianInt(xs []int64) int64 {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs[len(xs)/2]
}

func monotonic() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// marks are the clock readings a program wrote with mark.
func marks(out string) []int64 {
	var ms []int64
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, markPrefix); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				ms = append(ms, n)
			}
		}
	}
	return ms
}

// ownTime is the program's time between its first and last mark (0 if unknown).
func ownTime(ms []int64) time.Duration {
	if len(ms) < 2 {
		return 0
	}
	return time.Duration(ms[len(ms)-1] - ms[0])
}

// timeRun runs a program as it is (no probe): its wall time and own time.
func timeRun(name string, args []string, env []string) (wall, own time.Duration) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %v", name, err))
	}
	return time.Since(start), ownTime(marks(out.String()))
}

// stream is what one watched run wrote, as its reader saw it.
type stream struct {
	wall                    time.Duration
	events, snapshots, lost int64
	own                     time.Duration // the program's own time between its marks; 0 if unknown
	// lag: when an event's line reached this reader minus the event's own
	// time, over the events of the program (not run.start, run.end, or
	// output, which the probes hold back on purpose); lagged is how many.
	lagMean, lagMax time.Duration
	lagged          int64
}

// stampReader notes when each read returned: a line the scanner hands out
// was completed by the last read (it reads only when it has no whole line).
type stampReader struct {
	r  io.Reader
	at int64
}

func (s *stampReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.at = monotonic()
	return n, err
}

// between returns what follows the first from in b, up to the byte to.
func between(b []byte, from string, to byte) []byte {
	i := bytes.Index(b, []byte(from))
	if i < 0 {
		return nil
	}
	b = b[i+len(from):]
	if j := bytes.IndexByte(b, to); j >= 0 {
		return b[:j]
	}
	return b
}

// watch runs slowmo-probe and reads its NDJSON stream as it comes.
func watch(probe string, args []string, env []string) stream {
	cmd := exec.Command(probe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	var s stream
	var arrived, times, ms []int64
	origin := int64(math.MinInt64)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(fmt.Errorf("%s: %v", probe, err))
	}
	r := &stampReader{r: pipe}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		s.events++
		t, _ := strconv.ParseInt(string(between(line, `,"t":`, ',')), 10, 64)
		switch kind := string(between(line, `"kind":"`, '"')); kind {
		case "run.start":
		case "run.end":
			var end struct {
				Lost int64 `json:"lost"`
			}
			if json.Unmarshal(line, &end) == nil {
				s.lost = end.Lost
			}
		case "output":
			var out struct {
				Data string `json:"data"`
			}
			if json.Unmarshal(line, &out) == nil {
				if m := marks(out.Data); len(m) > 0 {
					ms = append(ms, m...)
					// The output was read after the last mark was written:
					// the latest estimate is the closest.
					origin = max(origin, m[len(m)-1]-t)
				}
			}
		default:
			if kind == "runq" || kind == "globalq" {
				s.snapshots++
			}
			arrived = append(arrived, r.at)
			times = append(times, t)
		}
	}
	if err := sc.Err(); err != nil {
		fail(fmt.Errorf("%s: reading its events: %v", probe, err))
	}
	if err := cmd.Wait(); err != nil {
		fail(fmt.Errorf("%s: %v", probe, err))
	}
	s.wall = time.Since(start)
	s.own = ownTime(ms)
	if origin != math.MinInt64 && len(times) > 0 {
		var sum int64
		for i, t := range times {
			lag := arrived[i] - (origin + t)
			sum += lag
			s.lagMax = max(s.lagMax, time.Duration(lag))
		}
		s.lagMean = time.Duration(sum / int64(len(times)))
		s.lagged = int64(len(times))
	}
	return s
}

// medianStream takes the median of each figure on its own.
func medianStream(xs []stream) stream {
	var m stream
	pick := func(f func(*stream) *time.Duration) {
		var ds []time.Duration
		for i := range xs {
			ds = append(ds, *f(&xs[i]))
		}
		*f(&m) = median(ds)
	}
	pickInt := func(f func(*stream) *int64) {
		var ns []int64
		for i := range xs {
			ns = append(ns, *f(&xs[i]))
		}
		*f(&m) = medianInt(ns)
	}
	pick(func(s *stream) *time.Duration { return &s.wall })
	pick(func(s *stream) *time.Duration { return &s.own })
	pick(func(s *stream) *time.Duration { return &s.lagMean })
	pick(func(s *stream) *time.Duration { return &s.lagMax })
	pickInt(func(s *stream) *int64 { return &s.events })
	pickInt(func(s *stream) *int64 { return &s.snapshots })
	pickInt(func(s *stream) *int64 { return &s.lost })
	pickInt(func(s *stream) *int64 { return &s.lagged })
	return m
}

// A backend of slowmo-probe, as the side-by-side table shows it.
type backend struct {
	name string
	args []string // before "--" BINARY
	// The fixed cost of a watched run: its wall time on the empty program
	// less the plain run's, and the events it makes there.
	fixed       time.Duration
	fixedEvents int64
	worst       float64 // ns per event of a watched run, fixed cost subtracted
	pingOwn     float64 // ns per event in the ping-pong's own time (its events are most of its time)
	rows        []string
	rate        rateResult
}

func main() {
	probe, err := filepath.Abs(filepath.Join(filepath.Dir(os.Args[0]), "slowmo-probe"))
	if err != nil || len(os.Args) > 1 {
		probe = os.Args[1]
	}
	work, err := os.MkdirTemp("", "probe-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	if len(os.Args) > 2 && os.Args[2] == "load" {
		loadCost()
		return
	}
	if len(os.Args) > 2 && os.Args[2] == "gc" { // probe-bench PROBE gc: the GC lens's figures alone
		gcLens(probe, work)
		return
	}
	if len(os.Args) > 2 && (os.Args[2] == "profiles" || os.Args[2] == "profiles-trace") {
		// probe-bench PROBE profiles: the profiles' figures alone (profiles-trace: without eBPF)
		profilesBench(probe, work, os.Args[2] == "profiles")
		return
	}

	loadCost()
	ebpf := &backend{name: "eBPF", args: []string{"run", "--procs", "2"}}
	tb := &backend{name: "trace", args: []string{"trace", "--procs", "2"}}
	costs(probe, work, ebpf, tb)
	rates(probe, work, ebpf, tb)
	sideBySide(ebpf, tb)
	returnSites(probe, work, ebpf)
	gcLens(probe, work)
	profilesBench(probe, work, true)
}

// costs times each program plain, under the execution tracer alone and
// under both backends, prints the eBPF backend's table and keeps each
// backend's rows for the side-by-side one.
func costs(probe, work string, ebpf, tb *backend) {
	fmt.Printf("eBPF probe benchmark: median of %d runs each, GOMAXPROCS=2\n", runs)
	fmt.Printf("%-9s %9s %9s %9s %8s %8s %10s %12s %6s\n",
		"program", "plain", "probe", "tracer", "probe x", "trace x", "events", "ns/event", "lost")
	for _, name := range []string{"empty", "pingpong", "fanout"} {
		cost(probe, work, name, ebpf, tb)
	}
	fmt.Printf("probe cost per event (fixed cost subtracted): worst %.0f ns, goal <= %d ns (x%.2f of goal)\n",
		ebpf.worst, goalNsPerEvent, ebpf.worst/goalNsPerEvent)
}

// cost measures one program (see costs); the empty one sets each backend's fixed cost.
func cost(probe, work, name string, ebpf, tb *backend) {
	plainBin := build(probe, filepath.Join(work, name), name, programs[name], plainBuild)
	traceBin := build(probe, filepath.Join(work, name+"-trace"), name, programs[name], tracerBuild)
	backendBin := build(probe, filepath.Join(work, name+"-backend"), name, programs[name], backendBuild)
	env := []string{"GOMAXPROCS=2", "TRACE_OUT=" + filepath.Join(work, name+".trace")}
	var plain, plainOwn, tracer []time.Duration
	var probed, backended []stream
	for i := 0; i < runs; i++ {
		d, own := timeRun(plainBin, nil, env)
		plain, plainOwn = append(plain, d), append(plainOwn, own)
		d, _ = timeRun(traceBin, nil, env)
		tracer = append(tracer, d)
		probed = append(probed, watch(probe, with(ebpf.args, "--", plainBin), env))
		backended = append(backended, watch(probe, with(tb.args, "--", backendBin), env))
	}
	p, own, tr := median(plain), median(plainOwn), median(tracer)
	pb := medianStream(probed)
	b := pb.wall
	ebpf.row(name, p, own, pb)
	tb.row(name, p, own, medianStream(backended))
	if name == "empty" {
		fmt.Printf("%-9s %9s %9s %9s %8s %8s %10d %12s %6d  (fixed cost of a watched run)\n", name,
			p.Round(time.Millisecond), b.Round(time.Millisecond), tr.Round(time.Millisecond), "-", "-", pb.events, "-", pb.lost)
		return
	}
	perEvent := float64(b-p-ebpf.fixed) / float64(pb.events-ebpf.fixedEvents)
	fmt.Printf("%-9s %9s %9s %9s %8.1f %8.2f %10d %12.0f %6d\n", name,
		p.Round(time.Millisecond), b.Round(time.Millisecond), tr.Round(time.Millisecond),
		float64(b)/float64(p), float64(tr)/float64(p), pb.events, perEvent, pb.lost)
	fmt.Printf("%-9s sustained %.0f events/s under the probe; %d of the events are queue snapshots (%.0f ns per other event)\n", "",
		float64(pb.events)/b.Seconds(), pb.snapshots, float64(b-p-ebpf.fixed)/float64(pb.events-pb.snapshots-ebpf.fixedEvents))
}

// rates runs the scheduled ping-pong under both backends (rate).
func rates(probe, work string, ebpf, tb *backend) {
	bin := build(probe, filepath.Join(work, "rate"), "rate", programs["rate"], plainBuild)
	ebpf.rate = rate(probe, bin, ebpf)
	r := ebpf.rate
	fmt.Printf("rate      scheduled ping-pong (%.1f events a round, a round every %s): %.0f events/s (median of %d runs), goal %d; lost %d of %d events\n",
		r.perRound, r.round.Round(10*time.Nanosecond), r.rate, runs, goalRate, r.lost, r.total)
	bin = build(probe, filepath.Join(work, "rate-backend"), "rate", programs["rate"], backendBuild)
	tb.rate = rate(probe, bin, tb)
}

// sideBySide prints the two backends' rows and rates together, and each
// against its goals.
func sideBySide(ebpf, tb *backend) {
	backends := []*backend{ebpf, tb}
	fmt.Printf("\nthe two backends side by side: slowmo-probe run (eBPF) and slowmo-probe trace (execution tracer, generation period %s),\n", trace.DefaultPeriod)
	fmt.Printf("the same programs and runs (median of %d); lag: when an event's line reached this reader minus the event's own time\n", runs)
	fmt.Printf("%-9s %-7s %9s %8s %10s %10s %11s %11s %9s %9s %6s\n",
		"program", "backend", "wall", "x plain", "events", "ns/event", "in program", "events/s", "lag mean", "lag max", "lost")
	for i := range ebpf.rows {
		for _, be := range backends {
			fmt.Println(be.rows[i])
		}
	}
	for _, be := range backends {
		r := be.rate
		fmt.Printf("%-9s %-7s %9s %8s %10d %10s %11s %11.0f %9s %9s %6d  (%.1f events a round, every %s)\n",
			"rate", be.name, r.wall.Round(time.Millisecond), "-", r.events, "-", "-", r.rate, ms(r.lagMean), ms(r.lagMax), r.lost,
			r.perRound, r.round.Round(10*time.Nanosecond))
	}
	fmt.Printf("in program: the program's own time (main's start to end), less the plain run's, per event; on the CPU-bound fan-out it is\n"+
		"mostly the reader taking CPU from the program (GOMAXPROCS=2 on %d CPUs) and noise\n", runtime.NumCPU())
	fmt.Printf("eBPF:  cost of a watched run worst %.0f ns/event, goal <= %d ns (x%.2f of goal); in the ping-pong %.0f ns/event; %.0f events/s at the scheduled %d (x%.2f); lag there mean %s, max %s\n",
		ebpf.worst, goalNsPerEvent, ebpf.worst/goalNsPerEvent, ebpf.pingOwn,
		ebpf.rate.rate, goalRate, ebpf.rate.rate/goalRate, ms(ebpf.rate.lagMean), ms(ebpf.rate.lagMax))
	fmt.Printf("trace: cost of a watched run worst %.0f ns/event (x%.2f of eBPF's goal %d ns); in the ping-pong %.0f ns/event, design ~%d ns (x%.2f); %.0f events/s at the scheduled %d (x%.2f); lag there mean %s, max %s, design ~%s (x%.2f)\n",
		tb.worst, tb.worst/goalNsPerEvent, goalNsPerEvent, tb.pingOwn, designTraceNsPerEvent, tb.pingOwn/designTraceNsPerEvent,
		tb.rate.rate, goalRate, tb.rate.rate/goalRate, ms(tb.rate.lagMean), ms(tb.rate.lagMax), designTraceLag,
		float64(tb.rate.lagMean)/float64(designTraceLag))
}

// with is args followed by more, in a new slice.
func with(args []string, more ...string) []string {
	return append(append([]string(nil), args...), more...)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// row records one program's figures under a backend for the side-by-side
// table: the watched run's cost per event (fixed cost subtracted, as the
// eBPF rows above), and the cost per event inside the program (its own time
// between the marks, less the plain run's).
func (be *backend) row(name string, plain, plainOwn time.Duration, s stream) {
	lags := [2]string{"-", "-"}
	if s.lagged > 0 {
		lags = [2]string{ms(s.lagMean), ms(s.lagMax)}
	}
	if name == "empty" {
		be.fixed, be.fixedEvents = s.wall-plain, s.events
		be.rows = append(be.rows, fmt.Sprintf("%-9s %-7s %9s %8s %10d %10s %11s %11s %9s %9s %6d  (fixed cost of a watched run)",
			name, be.name, s.wall.Round(time.Millisecond), "-", s.events, "-", "-", "-", lags[0], lags[1], s.lost))
		return
	}
	n := float64(s.events - be.fixedEvents)
	perEvent := float64(s.wall-plain-be.fixed) / n
	be.worst = max(be.worst, perEvent)
	own := "-"
	if s.own > 0 && plainOwn > 0 {
		perOwn := float64(s.own-plainOwn) / n
		if name == "pingpong" {
			be.pingOwn = perOwn
		}
		own = fmt.Sprintf("%.0f", perOwn)
	}
	be.rows = append(be.rows, fmt.Sprintf("%-9s %-7s %9s %8.1f %10d %10.0f %11s %11.0f %9s %9s %6d",
		name, be.name, s.wall.Round(time.Millisecond), float64(s.wall)/float64(plain), s.events, perEvent, own,
		float64(s.events)/s.wall.Seconds(), lags[0], lags[1], s.lost))
}

// goalRate is the event rate the probe must sustain without losing any.
const goalRate = 200_000

type rateResult struct {
	perRound    float64
	round       time.Duration
	rate        float64 // median over the runs
	wall        time.Duration
	events      int64 // median
	lost, total int64 // over all the runs
	lagMean     time.Duration
	lagMax      time.Duration
}

// rate runs the scheduled ping-pong at goalRate under a backend: a short run
// measures the events one round makes, which sets the round length; then
// the runs that count, for one second each. The rate is the events over the
// time the program ran under the probe, less the fixed cost of a watched run.
func rate(probe, bin string, be *backend) rateResult {
	const calibration = 2000
	args := with(be.args, "--", bin)
	s := watch(probe, args, []string{"ROUND_NS=20000", fmt.Sprintf("ROUNDS=%d", calibration)})
	var r rateResult
	r.perRound = float64(s.events-be.fixedEvents) / calibration
	r.round = time.Duration(float64(time.Second) * r.perRound / goalRate)
	rounds := int(time.Second / r.round)
	var rates []float64
	var all []stream
	for i := 0; i < runs; i++ {
		s := watch(probe, args, []string{fmt.Sprintf("ROUND_NS=%d", r.round.Nanoseconds()), fmt.Sprintf("ROUNDS=%d", rounds)})
		rates = append(rates, float64(s.events-be.fixedEvents)/(s.wall-be.fixed).Seconds())
		r.lost += s.lost
		r.total += s.events
		all = append(all, s)
	}
	sort.Float64s(rates)
	r.rate = rates[len(rates)/2]
	m := medianStream(all)
	r.wall, r.events, r.lagMean, r.lagMax = m.wall, m.events, m.lagMean, m.lagMax
	return r
}
