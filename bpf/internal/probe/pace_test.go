package probe

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/sysmon"
	"go-slowmo.dev/bpf/internal/target"
)

// Paced mode, through the same entry point the CLI uses: a step delivers
// exactly one event and the program waits; resume runs it to the end.
func TestPacedStepThenResume(t *testing.T) {
	ebpftest.Require(t)
	bin := buildWith(t, runtime.Version(), "paced")
	control, commands := io.Pipe()
	out, events := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(Options{Binary: bin, Procs: 2, Out: events, Paced: true, Speed: 0, Control: control})
		events.Close()
	}()
	lines := make(chan map[string]any, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e map[string]any
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("not JSON: %s", sc.Text())
			}
			lines <- e
		}
		close(lines)
	}()
	next := func(within time.Duration) map[string]any {
		select {
		case e := <-lines:
			return e
		case <-time.After(within):
			return nil
		}
	}
	quiet := func(what string) {
		if e := next(400 * time.Millisecond); e != nil {
			t.Fatalf("%s: an event came without a command: %v", what, e)
		}
	}
	send := func(cmd string) {
		if _, err := io.WriteString(commands, cmd+"\n"); err != nil {
			t.Fatal(err)
		}
	}

	if e := next(10 * time.Second); e == nil || e["kind"] != "run.start" {
		t.Fatalf("first event: %v, want run.start", e)
	}
	quiet("paused at the start")
	for i := 1; i <= 3; i++ {
		send("step")
		e := next(5 * time.Second)
		if e == nil || int(e["seq"].(float64)) != i {
			t.Fatalf("step %d delivered %v, want the event with seq %d", i, e, i)
		}
		quiet("after a step")
	}
	send("bogus")
	quiet("after an unknown command")

	// Played at a speed, the events keep coming, including the program's own lines.
	send("speed 2000")
	seq, last, userLines := 3, map[string]any(nil), 0
	for userLines == 0 {
		e := next(10 * time.Second)
		if e == nil {
			t.Fatalf("no line event of main.go while playing")
		}
		seq++
		if int(e["seq"].(float64)) != seq {
			t.Fatalf("while playing: seq %v, want %d", e["seq"], seq)
		}
		if e["kind"] == "line" && strings.HasSuffix(e["file"].(string), "/main.go") {
			userLines++
		}
	}
	send("resume")
	for e := range lines {
		seq++
		if int(e["seq"].(float64)) != seq {
			t.Fatalf("after resume: seq %v, want %d", e["seq"], seq)
		}
		last = e
	}

	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if last == nil || last["kind"] != "run.end" || last["exitCode"].(float64) != 0 || last["lost"].(float64) != 0 {
		t.Fatalf("the run should finish after resume with run.end, got %v", last)
	}
	if !strings.Contains(last["reason"].(string), "exit") {
		t.Errorf("run.end reason %v", last["reason"])
	}
}

// Stopped for longer than sysmon's 10 ms slice at each event, a goroutine
// must not be preempted for it when the program continues (package sysmon).
func TestPacedPausesDoNotPreempt(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			preempted, events := pacedSortPreemptions(t, version, false)
			t.Logf("main preempted %d times in %d events", preempted, events)
			// Before the sysmon reset every run saw 17 to 20 preemptions of main.
			// One or two can be real on a loaded machine (main does run for
			// more than 10 ms between some pauses), so that is the tolerance.
			if preempted > 2 {
				t.Errorf("main was preempted %d times in %d events; the pauses (14 ms each) should not count as its time", preempted, events)
			}
		})
	}
}

// The other choice: with see-pauses sysmon's records are left alone, so the
// same pauses count as main's time and sysmon preempts it as it would a
// program that slow. The bound sits above the tolerance of the test above,
// and far below what is seen (13 to 21 per run on every release), so the
// two tests tell the choices apart without depending on the machine's load.
func TestPacedSysmonSeesPauses(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			preempted, events := pacedSortPreemptions(t, version, true)
			t.Logf("main preempted %d times in %d events", preempted, events)
			if preempted < 5 {
				t.Errorf("main was preempted %d times in %d events with sysmon seeing the pauses (14 ms each); want at least 5", preempted, events)
			}
		})
	}
}

// pacedSortPreemptions plays testdata/pacedsort.go on one P at 70 events a
// second (14 ms stops, longer than sysmon's 10 ms slice) and counts the
// preemptions of main. It checks that the run ends well and that run.start
// names the sysmon choice.
func pacedSortPreemptions(t *testing.T, version string, seesPauses bool) (preempted, events int) {
	t.Helper()
	bin := buildWith(t, version, "pacedsort")
	b, err := target.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	if sysmon.Find(b) == nil {
		t.Errorf("cannot find sysmon's records of the Ps in %s", version)
	}
	b.Close()
	control, commands := io.Pipe()
	defer commands.Close()
	var out strings.Builder
	err = Run(Options{Binary: bin, Procs: 1, Out: &out, Paced: true, Speed: 70, Control: control, SysmonSeesPauses: seesPauses})
	if err != nil {
		t.Fatal(err)
	}
	want := map[bool]string{false: "hide-pauses", true: "see-pauses"}[seesPauses]
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		events++
		if e["kind"] == "run.start" {
			if paced, _ := e["paced"].(map[string]any); paced["sysmon"] != want {
				t.Errorf("run.start says paced %v, want sysmon %q", e["paced"], want)
			}
		}
		if e["kind"] == "run.end" && (e["exitCode"] != 0.0 || e["reason"] != "exit") {
			t.Errorf("run.end: %v", e)
		}
		if e["kind"] == "g.runnable" && e["reason"] == "preempt" && e["goid"] == 1.0 {
			preempted++
		}
	}
	return preempted, events
}

// stepline runs until a goroutine reaches another line of the program, then
// pauses: stepped again and again, it walks main's call and the worker's
// loop line after line, each step ending on a line event that differs from
// the one before, with nothing more delivered until the next command. A
// bound stops a step that reaches no line.
func TestPacedStepLine(t *testing.T) {
	ebpftest.Require(t)
	bin := buildWith(t, runtime.Version(), "stepline")
	r := startPaced(t, Options{Binary: bin, Procs: 2})

	e := r.next(10 * time.Second)
	if e == nil || e.kind() != "run.start" {
		t.Fatalf("first event: %v, want run.start", e)
	}
	if paced, _ := e["paced"].(map[string]any); paced["sysmon"] != "hide-pauses" {
		t.Errorf("run.start: paced %v, want sysmon hide-pauses by default", e["paced"])
	}
	r.quiet("paused at the start")

	// The runtime starts up for dozens of events before main's first line,
	// so a bound of 5 is what ends this step.
	r.send("stepline 5")
	for i := 1; i <= 5; i++ {
		e := r.next(5 * time.Second)
		if e == nil {
			t.Fatalf("stepline 5 delivered %d events, want 5", i-1)
		}
		if e.kind() == "line" {
			t.Fatalf("a line event during the runtime's start-up: %v", e)
		}
	}
	r.quiet("stepline 5 at its bound")

	at := map[int64]string{} // goid -> file:line, as a client tracks it
	visits := map[int64]int{}
	prev := ""
	for i := 1; i <= 16; i++ {
		r.send("stepline")
		delivered := 0
		var stop event
		for stop == nil {
			e := r.next(10 * time.Second)
			if e == nil {
				t.Fatalf("stepline %d: no new line after %d events", i, delivered)
			}
			delivered++
			if e.kind() == "run.end" {
				t.Fatalf("stepline %d: the program ended within 16 lines of its loop: %v", i, e)
			}
			if e.kind() == "line" {
				goid, here := e.num("goid"), e.str("file")+":"+strconv.FormatInt(e.num("line"), 10)
				if at[goid] != here {
					stop = e
				}
				at[goid] = here
			}
		}
		r.quiet(fmt.Sprintf("after stepline %d", i))
		here := stop.str("file") + ":" + strconv.FormatInt(stop.num("line"), 10)
		if delivered < 1 || !strings.HasSuffix(stop.str("file"), "/main.go") || stop.num("goid") != 1 {
			t.Fatalf("stepline %d stopped at %v after %d events, want main's goroutine on a line of main.go", i, stop, delivered)
		}
		if here == prev {
			t.Fatalf("stepline %d stayed on %s", i, here)
		}
		prev = here
		visits[stop.num("line")]++
	}
	// Lines 9 and 10 are the loop's body: stepping goes round it.
	if visits[9] < 2 || visits[10] < 2 {
		t.Errorf("16 steplines visited lines %v; want the worker's loop (lines 9 and 10) at least twice each", visits)
	}

	r.send("resume")
	var last event
	stdout := ""
	for e := range r.events {
		if e.kind() == "output" {
			stdout += e.str("data")
		}
		last = e
	}
	if err := <-r.done; err != nil {
		t.Fatal(err)
	}
	if last.kind() != "run.end" || last.num("exitCode") != 0 || last.str("reason") != "exit" {
		t.Errorf("after resume the run should end with exit 0, got %v", last)
	}
	if strings.TrimSpace(stdout) == "" {
		t.Errorf("the program's output is missing")
	}
}

// pacedRun is a paced Run driven as a client drives it: commands in,
// events out one by one.
type pacedRun struct {
	t        *testing.T
	commands io.WriteCloser
	events   chan event
	done     chan error
}

func startPaced(t *testing.T, opts Options) *pacedRun {
	t.Helper()
	control, commands := io.Pipe()
	out, events := io.Pipe()
	r := &pacedRun{t: t, commands: commands, events: make(chan event, 1<<16), done: make(chan error, 1)}
	opts.Paced, opts.Control, opts.Out = true, control, events
	go func() {
		r.done <- Run(opts)
		events.Close()
	}()
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("not JSON: %s", sc.Text())
			}
			r.events <- e
		}
		close(r.events)
	}()
	t.Cleanup(func() { commands.Close() })
	return r
}

func (r *pacedRun) next(within time.Duration) event {
	select {
	case e := <-r.events:
		return e
	case <-time.After(within):
		return nil
	}
}

func (r *pacedRun) quiet(what string) {
	r.t.Helper()
	if e := r.next(400 * time.Millisecond); e != nil {
		r.t.Fatalf("%s: an event came without a command: %v", what, e)
	}
}

func (r *pacedRun) send(cmd string) {
	r.t.Helper()
	if _, err := io.WriteString(r.commands, cmd+"\n"); err != nil {
		r.t.Fatal(err)
	}
}

// A paced program that writes without making events is stopped once what
// waits for the pace passes maxQueued, rather than filling the probe's
// memory while the learner looks; one running free is not.
func TestPacerStopsAProgramThatOutrunsThePace(t *testing.T) {
	state := func(pid int) byte {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(string(stat), ") ")
		return rest[0]
	}
	for _, mode := range []paceMode{paused, playing, free} {
		prog := exec.Command("sleep", "30")
		if err := prog.Start(); err != nil {
			t.Fatal(err)
		}
		p := newPacer(nil, nil, prog.Process.Pid, 1)
		p.mode = mode
		line := []byte(strings.Repeat("x", 64<<10))
		e := &Event{Kind: "output"}
		for p.queued+len(line) <= maxQueued {
			p.push(e, line)
		}
		time.Sleep(20 * time.Millisecond) // a signal sent would have arrived
		if s := state(prog.Process.Pid); s == 'T' {
			t.Errorf("mode %d: stopped at %d bytes queued, within the bound", mode, p.queued)
		}
		p.push(e, line)
		want := byte('T')
		if mode == free {
			want = 'S'
		}
		deadline := time.Now().Add(5 * time.Second)
		for state(prog.Process.Pid) != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if s := state(prog.Process.Pid); s != want {
			t.Errorf("mode %d: state %c at %d bytes queued, want %c", mode, s, p.queued, want)
		}
		_ = prog.Process.Kill()
		_ = prog.Wait()
	}
}
