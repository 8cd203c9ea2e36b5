package probe

import (
	"bufio"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
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
// must not be preempted for it when the program continues (sysmon.go).
func TestPacedPausesDoNotPreempt(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			bin := buildWith(t, version, "pacedsort")
			b, err := target.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			if newSysmonTicks(b, 1) == nil {
				t.Errorf("cannot find sysmon's records of the Ps in %s", version)
			}
			b.Close()
			control, commands := io.Pipe()
			defer commands.Close()
			var out strings.Builder
			// 70 events a second: 14 ms stops, longer than sysmon's 10 ms slice.
			if err := Run(Options{Binary: bin, Procs: 1, Out: &out, Paced: true, Speed: 70, Control: control}); err != nil {
				t.Fatal(err)
			}
			preempted, events := 0, 0
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var e map[string]any
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("not JSON: %s", line)
				}
				events++
				if e["kind"] == "run.end" && (e["exitCode"] != 0.0 || e["reason"] != "exit") {
					t.Errorf("run.end: %v", e)
				}
				if e["kind"] == "g.runnable" && e["reason"] == "preempt" && e["goid"] == 1.0 {
					preempted++
				}
			}
			// Before the sysmon reset every run saw 17 to 20 preemptions of main.
			// One or two can be real on a loaded machine (main does run for
			// more than 10 ms between some pauses), so that is the tolerance.
			if preempted > 2 {
				t.Errorf("main was preempted %d times in %d events; the pauses (14 ms each) should not count as its time", preempted, events)
			}
		})
	}
}
