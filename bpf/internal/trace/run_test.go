package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go-slowmo.dev/bpf"
	"go-slowmo.dev/bpf/internal/gccheck"
	"go-slowmo.dev/bpf/internal/stream/schema"
)

// versions lists the supported Go releases; SLOWMO_GO_VERSIONS overrides it.
func versions() []string {
	if v := os.Getenv("SLOWMO_GO_VERSIONS"); v != "" {
		return strings.Fields(v)
	}
	return bpf.GoVersions()
}

func minorOf(version string) int {
	m, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(version, "go1."), ".")[0])
	return m
}

// sourceDir puts testdata/name.go in a directory of its own as main.go.
func sourceDir(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".go"))
	if err != nil {
		t.Fatal(err)
	}
	return sourceDirOf(t, src)
}

// sourceDirOf makes a module whose main.go is src.
func sourceDirOf(t *testing.T, src []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildWith builds testdata/name.go with the helper, with the given Go release.
func buildWith(t *testing.T, version, name string) (bin, src string) {
	t.Helper()
	return buildIn(t, version, sourceDir(t, name))
}

// buildIn builds the module in src with the helper, with the given Go release.
func buildIn(t *testing.T, version, src string) (bin, _ string) {
	t.Helper()
	t.Setenv("GOTOOLCHAIN", version)
	t.Setenv("GOFLAGS", "")
	bin, err := Build(src, t.TempDir())
	if err != nil {
		t.Fatalf("build with %s: %v", version, err)
	}
	return bin, src
}

type event map[string]any

func (e event) kind() string       { s, _ := e["kind"].(string); return s }
func (e event) num(f string) int64 { n, _ := e[f].(float64); return int64(n) }
func (e event) str(f string) string {
	s, _ := e[f].(string)
	return s
}

// parse reads an NDJSON stream and checks each event against the
// protocol's schema (as every event of these tests is, but here the test
// that made it fails) and the stream's own rules: seq from 0 without gaps,
// t monotonic, inferred only ever true.
func parse(t *testing.T, out []byte) []event {
	t.Helper()
	var events []event
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lastT := int64(0)
	for sc.Scan() {
		if err := schema.Events.Check(sc.Bytes()); err != nil {
			t.Fatalf("event %d: %v: %s", len(events), err, sc.Text())
		}
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		if e.num("seq") != int64(len(events)) {
			t.Fatalf("seq %d at position %d: gaps or disorder", e.num("seq"), len(events))
		}
		if e.num("t") < lastT {
			t.Fatalf("time went back at seq %d", e.num("seq"))
		}
		lastT = e.num("t")
		if v, ok := e["inferred"]; ok && v != true {
			t.Fatalf("seq %d: inferred must be true when present", e.num("seq"))
		}
		events = append(events, e)
	}
	if len(events) < 2 || events[0].kind() != "run.start" || events[len(events)-1].kind() != "run.end" {
		t.Fatalf("the stream must start with run.start and end with run.end")
	}
	return events
}

// record runs bin under the tracer and returns its events.
func record(t *testing.T, bin, src string, procs int) ([]event, Stats) {
	t.Helper()
	var out, log bytes.Buffer
	var stats Stats
	err := Run(Options{Binary: bin, Procs: procs, Out: &out, Stats: &stats, Log: &log,
		BuildDir: SourcesOf(bin), SourceDir: src})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	events := parse(t, out.Bytes())
	for _, e := range events {
		switch e.kind() {
		case "runq", "globalq", "m.state", "line":
			t.Fatalf("seq %d: the tracer cannot see what a %s event says", e.num("seq"), e.kind())
		}
	}
	end := events[len(events)-1]
	if end.num("exitCode") != 0 || end.str("reason") != "exit" || end.num("lost") != 0 || stats.Truncated {
		t.Fatalf("run.end: %v (%s)", end, log.String())
	}
	start := events[0]
	if start.str("backend") != "trace" || start.num("gomaxprocs") != int64(procs) {
		t.Fatalf("run.start: %v", start)
	}
	fid, _ := start["fidelity"].(map[string]any)
	for _, f := range []string{"runq", "runnext", "steals", "lines"} {
		if fid[f] != false {
			t.Fatalf("fidelity.%s should be false: %v", f, start)
		}
	}
	return events, stats
}

func where(events []event, pred func(event) bool) []event {
	var out []event
	for _, e := range events {
		if pred(e) {
			out = append(out, e)
		}
	}
	return out
}

// checkGCPhases checks that a run holds at least `least` whole GC cycles
// and that each phase was said inside the stop of the world the runtime
// sets it in (gccheck).
func checkGCPhases(t *testing.T, events []event, least int) {
	t.Helper()
	maps := make([]map[string]any, len(events))
	for i, e := range events {
		maps[i] = e
	}
	cycles, problems := gccheck.Check(maps)
	if cycles < least || len(problems) > 0 {
		t.Errorf("%d whole GC cycles (want at least %d); %d problems: %v", cycles, least, len(problems), problems[:min(len(problems), 5)])
	}
}

func TestRealProgramsOnEverySupportedGo(t *testing.T) {
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			t.Run("creation, channel wait, output, GC", func(t *testing.T) {
				bin, src := buildWith(t, version, "create")
				events, stats := record(t, bin, src, 1)
				t.Logf("%d trace events -> %d protocol events; lag mean %v, max %v", stats.TraceEvents, stats.Emitted, stats.MeanLag, stats.MaxLag)
				if got := events[0].str("goVersion"); got != version {
					t.Errorf("run.start says %s, want %s", got, version)
				}
				mainFile := filepath.Join(src, "main.go")
				workers := where(events, func(e event) bool { return e.kind() == "g.create" && e.str("fn") == "main.worker" })
				if len(workers) != 50 {
					t.Fatalf("%d g.create of main.worker, want 50", len(workers))
				}
				for _, w := range workers {
					if w.num("parent") != 1 || w.str("file") != mainFile || w.num("line") != 16 || w["inferred"] != nil {
						t.Fatalf("worker created %v, want parent 1 at %s:16, seen", w, mainFile)
					}
				}
				lit := where(events, func(e event) bool { return e.kind() == "g.create" && e.str("fn") == "main.main.func1" })
				if len(lit) != 1 || lit[0].num("line") != 20 {
					t.Errorf("the literal should be created once, as main.main.func1 at line 20: %v", lit)
				}
				for _, e := range where(events, func(e event) bool { return e.kind() == "g.create" }) {
					if fn := e.str("fn"); strings.HasPrefix(fn, "runtime/trace") || strings.Contains(fn, userMain) || strings.Contains(fn, "traceAdvancer") {
						t.Errorf("the tracer's own goroutine, or the helper's name, shows: %v", e)
					}
				}
				// Every goroutine made runnable by creation: inferred runnext of the creator's P.
				for _, e := range where(events, func(e event) bool { return e.kind() == "g.runnable" }) {
					if e["inferred"] != true {
						t.Fatalf("seq %d: where a goroutine was queued is not seen by the tracer: must be inferred", e.num("seq"))
					}
				}
				parked := where(events, func(e event) bool {
					return e.kind() == "g.waiting" && e.num("goid") == 1 && e.str("reason") == "chan receive" && e.num("line") == 21
				})
				if len(parked) != 1 || parked[0].str("file") != mainFile {
					t.Errorf("main should park once on \"chan receive\" at main.go:21; got %v", parked)
				}
				wantWG := "semacquire"
				if minorOf(version) >= 24 {
					wantWG = "sync.WaitGroup.Wait"
				}
				if len(where(events, func(e event) bool {
					return e.kind() == "g.waiting" && e.num("goid") == 1 && e.str("reason") == wantWG && e.num("line") == 18
				})) == 0 {
					t.Errorf("main should wait on %q at line 18", wantWG)
				}
				var out []string
				for _, e := range where(events, func(e event) bool { return e.kind() == "output" }) {
					out = append(out, e.str("data"))
				}
				if strings.Join(out, "") != "42\ndone\n" {
					t.Errorf("output %q", out)
				}
				checkGCPhases(t, events, 1)
				stw := where(events, func(e event) bool { return e.kind() == "stw" })
				if len(stw) < 4 || stw[0]["begin"] != true || stw[0].str("reason") != "GC sweep termination" || stw[1]["begin"] != false {
					t.Errorf("want stop-the-world begin (GC sweep termination) and end, got %v", stw)
				}
				for _, e := range stw {
					if strings.Contains(e.str("reason"), "trace") {
						t.Errorf("the tracer's own stop-the-world shows: %v", e)
					}
				}
			})

			t.Run("GC phases set with the world stopped", func(t *testing.T) {
				bin, src := buildIn(t, version, sourceDirOf(t, gccheck.Program))
				events, _ := record(t, bin, src, 2)
				checkGCPhases(t, events, 3)
			})

			t.Run("two Ps: likely steals and a blocking syscall", func(t *testing.T) {
				bin, src := buildWith(t, version, "twop")
				events, stats := record(t, bin, src, 2)
				t.Logf("%d trace events -> %d protocol events; lag mean %v, max %v", stats.TraceEvents, stats.Emitted, stats.MeanLag, stats.MaxLag)
				spinners := map[int64]bool{}
				for _, e := range where(events, func(e event) bool { return e.kind() == "g.create" && e.str("fn") == "main.spin" }) {
					spinners[e.num("goid")] = true
					if e.num("line") != 25 {
						t.Fatalf("spinner created at line %d, want 25", e.num("line"))
					}
				}
				if len(spinners) != 32 {
					t.Fatalf("%d spinners created, want 32", len(spinners))
				}
				ran := map[int64]map[int64]bool{}
				for _, e := range where(events, func(e event) bool { return e.kind() == "g.running" && spinners[e.num("goid")] }) {
					if ran[e.num("goid")] == nil {
						ran[e.num("goid")] = map[int64]bool{}
					}
					ran[e.num("goid")][e.num("p")] = true
				}
				onP := map[int64]int{}
				for _, ps := range ran {
					for p := range ps {
						onP[p]++
					}
				}
				steals := where(events, func(e event) bool { return e.kind() == "steal" })
				if onP[0] > 0 && onP[1] > 0 && len(steals) == 0 {
					t.Errorf("spinners ran on both Ps but no steal was inferred")
				}
				for _, s := range steals {
					if s["inferred"] != true || s.num("thief") == s.num("victim") {
						t.Errorf("a steal the tracer did not see must be inferred, between two Ps: %v", s)
					}
				}
				enter := where(events, func(e event) bool { return e.kind() == "g.syscall" && e.num("goid") == 1 })
				exit := where(events, func(e event) bool { return e.kind() == "g.syscall.exit" && e.num("goid") == 1 })
				if len(enter) == 0 || len(exit) == 0 || enter[len(enter)-1].num("seq") > exit[len(exit)-1].num("seq") {
					t.Fatalf("want main's syscall enter then exit, got %d enters and %d exits", len(enter), len(exit))
				}
				in, out := enter[len(enter)-1], exit[len(exit)-1]
				if out.num("t")-in.num("t") < 45_000_000 {
					t.Errorf("main's 50 ms syscall took %d ns", out.num("t")-in.num("t"))
				}
				pid := in.num("p")
				if minorOf(version) < 26 {
					after := events[in.num("seq")+1]
					if after.kind() != "p.state" || after.num("p") != pid || after.str("state") != "syscall" {
						t.Errorf("after main's g.syscall on P%d: %v, want p.state syscall", pid, after)
					}
				}
				retaken := where(events[in.num("seq"):out.num("seq")], func(e event) bool {
					return e.kind() == "p.state" && e.num("p") == pid && e.str("state") == "idle"
				})
				if len(retaken) == 0 {
					t.Errorf("no p.state idle of P%d (sysmon retaking it) during main's 50 ms syscall", pid)
				}
			})
		})
	}
}

// TestWhoWokeWhom: the tracer emits an unblock on the waker's goroutine, with
// its stack: the g.runnable names the waker and the learner's line.
func TestWhoWokeWhom(t *testing.T) {
	for _, version := range versions() {
		t.Run(version, func(t *testing.T) {
			bin, src := buildWith(t, version, "wake")
			events, _ := record(t, bin, src, 1)
			mainFile := filepath.Join(src, "main.go")
			receivers := where(events, func(e event) bool { return e.kind() == "g.create" && e.str("fn") == "main.receiver" })
			if len(receivers) != 1 {
				t.Fatalf("%d g.create of main.receiver, want 1", len(receivers))
			}
			recv := receivers[0].num("goid")
			found := map[string]bool{}
			waiting := map[int64]event{}
			for _, e := range events {
				if e.kind() == "g.waiting" {
					waiting[e.num("goid")] = e
				}
				if e.kind() != "g.runnable" {
					continue
				}
				_, by := e["by"]
				_, line := e["line"]
				if by && (e.str("reason") != "ready" || e.num("by") < 1 || e.num("by") == e.num("goid") || e.num("by") != e.num("g")) {
					t.Errorf("seq %d: by is for a wake-up by another goroutine, the one running: %v", e.num("seq"), e)
				}
				if line && !by {
					t.Errorf("seq %d: a waker's line without the waker: %v", e.num("seq"), e)
				}
				if e.str("reason") != "ready" {
					continue
				}
				w := waiting[e.num("goid")]
				want := func(what string, by, line int64) {
					found[what] = true
					if e.num("by") != by || e.str("file") != mainFile || e.num("line") != line {
						t.Errorf("%s: want by %d at %s:%d; got %v", what, by, mainFile, line, e)
					}
				}
				switch {
				case e.num("goid") == recv && w.str("reason") == "chan receive":
					want("main's send wakes the receiver", 1, 24)
				case e.num("goid") == 1 && w.str("reason") == "sleep":
					found["timer"] = true
					if by {
						t.Errorf("main's sleep ended by a timer, not by a goroutine: %v", e)
					}
				case e.num("goid") == 1 && w.str("reason") == "chan receive" && w.num("line") == 25:
					want("the receiver's send wakes main", recv, 13)
				case e.num("goid") == recv && w.str("reason") == "chan send":
					// The other order, when main is preempted before it reaches <-done.
					want("the receiver's send wakes main", 1, 25)
				case e.num("goid") == 1 && w.num("line") == 26:
					want("the receiver's wg.Done wakes main", recv, 15)
				}
			}
			if len(found) != 4 {
				t.Errorf("found %v; want the three wake-ups by a goroutine and the timer's", found)
			}
		})
	}
}
