package trace

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/stream"
)

// The trace backend's observer effect stays bounded (issue 15): a program
// that makes events faster than the reader of the probe can take them is
// slowed, not made to wait for its trace at the end, and the runtime's own
// churn is left out.

// slowReader takes what the probe writes at about perEvent for each event,
// as the bridge does (it parses, checks and forwards every event, a few µs
// each); it keeps what it took.
type slowReader struct {
	perEvent time.Duration
	mu       sync.Mutex
	out      bytes.Buffer
	owed     time.Duration
}

func (s *slowReader) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.out.Write(p)
	s.owed += time.Duration(bytes.Count(p, []byte{'\n'})) * s.perEvent
	owed := s.owed
	if owed >= time.Millisecond {
		s.owed = 0
	}
	s.mu.Unlock()
	if owed >= time.Millisecond {
		time.Sleep(owed)
	}
	return len(p), nil
}

// plainTime runs the binary built with the helper without its tracer (the
// helper starts it only when given the pipe): the program's own time.
func plainTime(t *testing.T, bin string, procs int) time.Duration {
	t.Helper()
	best := time.Duration(0)
	for range 2 {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("plain run: %v: %s", err, out)
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	return best
}

// TestBusyProgramsKeepTheirTime: the busy owner (events as fast as the
// scheduler goes, for one second) and a fan-out (fixed work) end with their
// own exit within a few times their plain time, though the probe's reader
// takes each event as slowly as a bridge does. Before the program was
// stopped for back-pressure, the owner's run took as long as its millions of
// events took to read (x72 of its plain time here), and its trace could pass
// the 16 MiB the probe holds for a generation (event-limit).
func TestBusyProgramsKeepTheirTime(t *testing.T) {
	vs := versions()
	version := vs[len(vs)-1]
	const procs = 2
	for _, name := range []string{"owner", "fanout"} {
		t.Run(name, func(t *testing.T) {
			bin, src := buildWith(t, version, name)
			plain := plainTime(t, bin, procs)
			reader := &slowReader{perEvent: 10 * time.Microsecond}
			var stats Stats
			var log bytes.Buffer
			var said []bool // what a watcher's clock was told (Options.Running)
			var saidMu sync.Mutex
			running := func(r bool) {
				saidMu.Lock()
				said = append(said, r)
				saidMu.Unlock()
			}
			start := time.Now()
			err := Run(Options{Binary: bin, Procs: procs, Out: reader, Stats: &stats, Log: &log, Running: running,
				Timeout: 15 * time.Second, BuildDir: SourcesOf(bin), SourceDir: src})
			took := time.Since(start)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			events := parse(t, reader.out.Bytes())
			end := events[len(events)-1]
			ratio := float64(took) / float64(plain)
			t.Logf("%s: plain %v, traced %v (x%.2f; goal x3); %d events, stopped %v in %d stops, %d churn pairs left out",
				name, plain.Round(time.Millisecond), took.Round(time.Millisecond), ratio, len(events),
				stats.Throttled.Round(time.Millisecond), stats.Stops, stats.Collapsed)
			if end.str("reason") != "exit" || end.num("exitCode") != 0 {
				t.Fatalf("run.end %v, want the program's own exit (%s)", end, log.String())
			}
			if end.num("throttledMs") != stats.Throttled.Milliseconds() {
				t.Errorf("run.end.throttledMs %d, stats say %v", end.num("throttledMs"), stats.Throttled)
			}
			// The goal is 3x (make bench prints the figure). Here, on two
			// cores shared with other work, the owner took x1.3-3.5 in most runs
			// and up to x7.4 in a few; unstopped, x72.
			if ratio > 10 {
				t.Errorf("traced run took x%.1f of the plain run (%v against %v)", ratio, took, plain)
			}
			if name == "owner" && stats.Stops == 0 {
				t.Errorf("a reader at %v an event never made the probe stop the owner", reader.perEvent)
			}
			// Each stop and continue was said, and the end: the program runs no more.
			if len(said) != 2*stats.Stops+1 || said[len(said)-1] {
				t.Errorf("%d stops, and the watcher was told %v", stats.Stops, said)
			}
		})
	}
}

// mapTrace maps a recorded trace as Run does, with or without the collapser.
func mapTrace(t *testing.T, data []byte, minor int, collapse bool) []event {
	t.Helper()
	var out bytes.Buffer
	w := stream.NewWriter(&out, 0)
	emit := emitTo(w)
	c := newCollapser(emit)
	mapped := emit
	if collapse {
		mapped = c.Emit
	}
	mp := newMapper(minor, mapped)
	r, err := xtrace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for {
		e, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		mp.handle(e)
	}
	c.flush()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var events []event
	for _, line := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte{'\n'}) {
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// runtimeStops counts the stops (g.runnable by the goroutine itself) of the
// runtime's goroutines, and returns the events that concern none of them
// (every learner's event, P, GC and output events), without seq.
func runtimeStops(events []event) (int, []event) {
	rt := map[int64]bool{}
	stops := 0
	var rest []event
	for _, e := range events {
		if e.kind() == "g.create" && e.num("goid") != 1 && runtimeFunction(e.str("fn")) {
			rt[e.num("goid")] = true
		}
		if _, ok := e["goid"]; ok && rt[e.num("goid")] {
			if e.kind() == "g.runnable" && e.num("g") == e.num("goid") {
				stops++
			}
			continue
		}
		c := event{}
		for k, v := range e {
			if k != "seq" {
				c[k] = v
			}
		}
		rest = append(rest, c)
	}
	return stops, rest
}

// TestRuntimeChurnIsLeftOut: after each collection of sweep.go the
// runtime's background sweeper yields thousands of times on a busy P (20,000
// events where the learner's program makes 150). Run leaves those yields out
// with the runs that follow them at once; every other event, the learner's
// above all, is as the tracer saw it, in the same order.
func TestRuntimeChurnIsLeftOut(t *testing.T) {
	vs := versions()
	version := vs[len(vs)-1]
	bin, src := buildWith(t, version, "sweep")

	// Through Run, twice (a storm comes on most runs, not all).
	for i := range 2 {
		var out bytes.Buffer
		var stats Stats
		if err := Run(Options{Binary: bin, Procs: 2, Out: &out, Stats: &stats,
			BuildDir: SourcesOf(bin), SourceDir: src}); err != nil {
			t.Fatalf("run: %v", err)
		}
		events := parse(t, out.Bytes())
		stops, _ := runtimeStops(events)
		t.Logf("run %d: %d events, %d stops of the runtime's goroutines sent, %d stop-and-run pairs left out", i, len(events), stops, stats.Collapsed)
		if stops > 100 {
			t.Errorf("run %d: %d stops of the runtime's own goroutines reach the stream (%d events in all)", i, stops, len(events))
		}
	}

	// One raw trace mapped with and without the collapser: the same events
	// but the runtime goroutines' stops and runs.
	raw := t.TempDir() + "/trace"
	f, err := os.Create(raw)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2", FDEnv+"=3", "GODEBUG=traceadvanceperiod=10000000")
	cmd.ExtraFiles = []*os.File{f}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f.Close()
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	all := mapTrace(t, data, minorOf(version), false)
	kept := mapTrace(t, data, minorOf(version), true)
	stopsAll, restAll := runtimeStops(all)
	stopsKept, restKept := runtimeStops(kept)
	t.Logf("raw trace: %d events (%d runtime stops) -> %d events (%d runtime stops)", len(all), stopsAll, len(kept), stopsKept)
	if len(restAll) != len(restKept) {
		t.Fatalf("the collapser changed other events: %d before, %d after", len(restAll), len(restKept))
	}
	for i := range restAll {
		a, _ := json.Marshal(restAll[i])
		b, _ := json.Marshal(restKept[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("event %d differs:\n%s\n%s", i, a, b)
		}
	}
	// What it leaves out are pairs: a stop and the run after it.
	if removed := len(all) - len(kept); removed != 2*(stopsAll-stopsKept) {
		t.Errorf("%d events left out for %d stops", removed, stopsAll-stopsKept)
	}
	if stopsKept > 100 {
		t.Errorf("%d stops of the runtime's goroutines kept", stopsKept)
	}
}
