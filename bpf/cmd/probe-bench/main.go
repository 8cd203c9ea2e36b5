// Command probe-bench measures what watching a program costs, side by side
// in one run on two programs (a channel ping-pong and a CPU-bound fan-out):
// plain, under slowmo-probe, and under the execution tracer (what `go tool
// trace` records). It prints the slowdowns, the probe's cost per event, the
// event rate it sustained, and whether anything was lost. Run by `make bench`.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

const runs = 5

// goal: per event on this kind of machine (one uprobe hit measures ~0.8 us here).
const goalNsPerEvent = 1500

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

func build(dir, name, src string, withTrace bool) string {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	main := src
	if withTrace {
		// Stop the tracer when main returns so the trace is complete.
		main = src + "\nvar stopTrace func()\n"
		main = replaceOnce(main, "func main() {", "func main() {\n\tdefer stopTrace()")
		write(filepath.Join(dir, "trace.go"), traced)
	}
	write(filepath.Join(dir, "main.go"), main)
	write(filepath.Join(dir, "go.mod"), "module prog\n\ngo 1.22\n")
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

func timeRun(name string, args []string, env []string) (time.Duration, []byte) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %v", name, err))
	}
	return time.Since(start), out.Bytes()
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

	fmt.Printf("eBPF probe benchmark: median of %d runs each, GOMAXPROCS=2\n", runs)
	fmt.Printf("%-9s %9s %9s %9s %8s %8s %10s %12s %6s\n",
		"program", "plain", "probe", "tracer", "probe x", "trace x", "events", "ns/event", "lost")
	worst := 0.0
	var fixed time.Duration
	var fixedEvents int64
	for _, name := range []string{"empty", "pingpong", "fanout"} {
		plainBin := build(filepath.Join(work, name), name, programs[name], false)
		traceBin := build(filepath.Join(work, name+"-trace"), name, programs[name], true)
		env := []string{"GOMAXPROCS=2", "TRACE_OUT=" + filepath.Join(work, name+".trace")}
		var plain, probed, tracer []time.Duration
		var events, snapshots, lost int64
		for i := 0; i < runs; i++ {
			d, _ := timeRun(plainBin, nil, env)
			plain = append(plain, d)
			d, _ = timeRun(traceBin, nil, env)
			tracer = append(tracer, d)
			d, out := timeRun(probe, []string{"run", "--procs", "2", "--", plainBin}, env)
			probed = append(probed, d)
			events, snapshots, lost = countAll(out)
		}
		p, b, tr := median(plain), median(probed), median(tracer)
		if name == "empty" {
			fixed, fixedEvents = b-p, events
			fmt.Printf("%-9s %9s %9s %9s %8s %8s %10d %12s %6d  (fixed cost of a watched run)\n", name,
				p.Round(time.Millisecond), b.Round(time.Millisecond), tr.Round(time.Millisecond), "-", "-", events, "-", lost)
			continue
		}
		perEvent := float64(b-p-fixed) / float64(events-fixedEvents)
		if perEvent > worst {
			worst = perEvent
		}
		fmt.Printf("%-9s %9s %9s %9s %8.1f %8.2f %10d %12.0f %6d\n", name,
			p.Round(time.Millisecond), b.Round(time.Millisecond), tr.Round(time.Millisecond),
			float64(b)/float64(p), float64(tr)/float64(p), events, perEvent, lost)
		fmt.Printf("%-9s sustained %.0f events/s under the probe; %d of the events are queue snapshots (%.0f ns per other event)\n", "",
			float64(events)/b.Seconds(), snapshots, float64(b-p-fixed)/float64(events-snapshots-fixedEvents))
	}
	fmt.Printf("probe cost per event (fixed cost subtracted): worst %.0f ns, goal <= %d ns (x%.2f of goal)\n",
		worst, goalNsPerEvent, worst/goalNsPerEvent)
	rate(probe, work, fixed, fixedEvents)
}

// goalRate is the event rate the probe must sustain without losing any.
const goalRate = 200_000

// rate runs the scheduled ping-pong at goalRate: a short run measures the
// events one round makes, which sets the round length; then the run that
// counts, for one second. The rate is the events over the time the program
// ran under the probe, less the fixed cost of a watched run.
func rate(probe, work string, fixed time.Duration, fixedEvents int64) {
	bin := build(filepath.Join(work, "rate"), "rate", programs["rate"], false)
	const calibration = 2000
	_, out := timeRun(probe, []string{"run", "--procs", "2", "--", bin}, []string{"ROUND_NS=20000", fmt.Sprintf("ROUNDS=%d", calibration)})
	events, _ := count(out)
	perRound := float64(events-fixedEvents) / calibration
	round := time.Duration(float64(time.Second) * perRound / goalRate)
	rounds := int(time.Second / round)
	var rates []float64
	var lost, total int64
	for i := 0; i < runs; i++ {
		d, out := timeRun(probe, []string{"run", "--procs", "2", "--", bin},
			[]string{fmt.Sprintf("ROUND_NS=%d", round.Nanoseconds()), fmt.Sprintf("ROUNDS=%d", rounds)})
		events, l := count(out)
		rates = append(rates, float64(events-fixedEvents)/(d-fixed).Seconds())
		lost += l
		total += events
	}
	sort.Float64s(rates)
	fmt.Printf("rate      scheduled ping-pong (%.1f events a round, a round every %s): %.0f events/s (median of %d runs), goal %d; lost %d of %d events\n",
		perRound, round.Round(10*time.Nanosecond), rates[len(rates)/2], runs, goalRate, lost, total)
}

// count reads an NDJSON stream: how many events and run.end's lost.
func count(out []byte) (events, lost int64) {
	events, _, lost = countAll(out)
	return events, lost
}

// countAll also says how many of the events are run queue snapshots
// (runq, globalq), which ride on another event's probe hit.
func countAll(out []byte) (events, snapshots, lost int64) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		events++
		if bytes.Contains(sc.Bytes(), []byte(`"kind":"runq"`)) || bytes.Contains(sc.Bytes(), []byte(`"kind":"globalq"`)) {
			snapshots++
		}
		var end struct {
			Kind string `json:"kind"`
			Lost int64  `json:"lost"`
		}
		if bytes.Contains(sc.Bytes(), []byte(`"run.end"`)) && json.Unmarshal(sc.Bytes(), &end) == nil {
			lost = end.Lost
		}
	}
	return events, snapshots, lost
}
