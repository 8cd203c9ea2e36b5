package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// A watcher that cannot tell the program to quit kills it at once; one that
// can waits for it to end, up to QuitGrace, and kills only a program that
// outlives that.
func TestWatchQuitsBeforeKilling(t *testing.T) {
	stop := func() chan struct{} { return make(chan struct{}) }
	t.Run("quit impossible: kill at once", func(t *testing.T) {
		e, s := NewEnding(), stop()
		killed := make(chan time.Time, 1)
		ended := e.Watch(0, s, func() bool { return false }, func() { killed <- time.Now() })
		defer ended()
		at := time.Now()
		close(s)
		if d := (<-killed).Sub(at); d > QuitGrace/2 {
			t.Fatalf("killed %v after the stop, want at once", d)
		}
	})
	t.Run("program ignores the quit: killed after the grace", func(t *testing.T) {
		e, s := NewEnding(), stop()
		killed := make(chan time.Time, 1)
		ended := e.Watch(0, s, func() bool { return true }, func() { killed <- time.Now() })
		defer ended()
		at := time.Now()
		close(s)
		if d := (<-killed).Sub(at); d < QuitGrace || d > QuitGrace+time.Second {
			t.Fatalf("killed %v after the stop, want about %v", d, QuitGrace)
		}
	})
	t.Run("program ends on the quit: never killed", func(t *testing.T) {
		e := NewEnding()
		var killed atomic.Bool
		var ended func()
		quit := func() bool {
			go func() { time.Sleep(10 * time.Millisecond); ended() }()
			return true
		}
		ended = e.Watch(20*time.Millisecond, nil, quit, func() { killed.Store(true) })
		// A kill would come QuitGrace after the quit: only waiting past it shows none comes.
		time.Sleep(QuitGrace + 200*time.Millisecond)
		if killed.Load() || e.Reason() != "timeout" {
			t.Fatalf("killed %v, reason %q", killed.Load(), e.Reason())
		}
	})
}

// A limit the probe applies itself stops the program as a stop does, even
// one hit before the watcher starts, and keeps its reason; it does not take
// the place of a reason the run already had.
func TestLimitStopsTheProgram(t *testing.T) {
	t.Run("limit before Watch", func(t *testing.T) {
		e := NewEnding()
		e.Limit("output-limit")
		quit := make(chan struct{}, 1)
		ended := e.Watch(0, nil, func() bool { quit <- struct{}{}; return true }, func() {})
		defer ended()
		select {
		case <-quit:
		case <-time.After(5 * time.Second):
			t.Fatal("the limit never stopped the program")
		}
		if e.Reason() != "output-limit" {
			t.Fatalf("reason %q, want output-limit", e.Reason())
		}
	})
	t.Run("limit after a timeout", func(t *testing.T) {
		e := NewEnding()
		quit := make(chan struct{}, 1)
		ended := e.Watch(time.Millisecond, nil, func() bool { quit <- struct{}{}; return false }, func() {})
		defer ended()
		<-quit
		e.Limit("output-limit")
		if e.Reason() != "timeout" {
			t.Fatalf("reason %q, want timeout", e.Reason())
		}
	})
}

// The Go runtime exits 2 after its SIGQUIT dump: a program the watcher
// stopped still reads as killed, not as one that failed by itself.
func TestExitAfterQuitReadsAsKilled(t *testing.T) {
	exit2 := func() error { return exec.Command("/bin/sh", "-c", "exit 2").Run() }
	e := NewEnding()
	code, sig, err := e.Exited(exit2(), false)
	if err != nil || code != 2 || sig != "" || e.Reason() != "exit" {
		t.Fatalf("unstopped: %d %q %v %q", code, sig, err, e.Reason())
	}
	e = NewEnding()
	s := make(chan struct{})
	ended := e.Watch(0, s, func() bool { return true }, func() {})
	close(s)
	quitMarked(t, e)
	code, sig, err = e.Exited(exit2(), true)
	ended()
	if err != nil || code != -1 || sig != "SIGKILL" || e.Reason() != "stopped" {
		t.Fatalf("stopped: %d %q %v %q", code, sig, err, e.Reason())
	}
}

// lineOf is the 1-based line of testdata/name.go that holds marker.
func lineOf(t *testing.T, name, marker string) int {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %q in testdata/%s.go", marker, name)
	return 0
}

// A program stopped by the timeout or by Stop has printed every goroutine's
// stack (the Go runtime's SIGQUIT dump) as output on stderr before run.end,
// which keeps the stop's reason and the exit of a killed program.
func TestStoppedProgramPrintsItsStacks(t *testing.T) {
	ebpftest.Require(t)
	loop := lineOf(t, "spin", "// the loop")
	complete := regexp.MustCompile(`\ngs +0x[0-9a-f]+\n$`)
	header := regexp.MustCompile(`goroutine 1 [^\n]*\[(running|runnable)\]:`)
	frame := regexp.MustCompile(fmt.Sprintf(`main\.main\(\)\n\t\S*main\.go:%d `, loop))
	for _, v := range versions(t) {
		bin := buildWith(t, v, "spin")
		for _, how := range []string{"timeout", "stopped", "paced"} {
			t.Run(v+"/"+how, func(t *testing.T) {
				var out bytes.Buffer
				opts := Options{Binary: bin, Procs: 2, Out: &out}
				const after = 700 * time.Millisecond
				if how == "paced" {
					// Held stopped between events, it must be let go to print.
					control, hold := io.Pipe()
					defer hold.Close()
					opts.Paced, opts.Speed, opts.Control = true, 2000, control
				}
				if how == "timeout" {
					opts.Timeout = after
				} else {
					// Stop it once it runs its loop: stopped before its runtime
					// is up, a program has no stacks to print.
					s := make(chan struct{})
					opts.Stop = s
					opts.Out = &watchFor{w: &out, text: []byte("spinning"), then: func() {
						time.AfterFunc(after, func() { close(s) })
					}}
				}
				began := time.Now()
				if err := Run(opts); err != nil {
					t.Fatalf("run: %v", err)
				}
				took := time.Since(began)
				var events []event
				sc := bufio.NewScanner(&out)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					var e event
					if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
						t.Fatalf("not JSON: %v: %s", err, sc.Text())
					}
					events = append(events, e)
				}
				end := events[len(events)-1]
				want := how
				if how == "paced" {
					want = "stopped"
				}
				if end.kind() != "run.end" || end.str("reason") != want || end.num("exitCode") != -1 || end.str("signal") != "SIGKILL" {
					t.Fatalf("run.end: %v", end)
				}
				var stderr strings.Builder
				for _, e := range events {
					if e.kind() == "output" && e.str("stream") == "stderr" {
						stderr.WriteString(e.str("data"))
					}
				}
				dump := stderr.String()
				if !strings.HasPrefix(dump, "SIGQUIT: quit") || !header.MatchString(dump) || !frame.MatchString(dump) {
					t.Fatalf("stderr should hold the stack dump with goroutine 1 at main.go:%d:\n%s", loop, dump)
				}
				// Whole, to the registers it ends with: the program ended of the
				// quit, not of a kill after the grace.
				if !complete.MatchString(dump) {
					t.Fatalf("the dump is cut short:\n%s", dump)
				}
				t.Logf("the run took %v", took)
			})
		}
	}
}

// watchFor passes writes to w and calls then once, when text has gone by.
type watchFor struct {
	w    io.Writer
	text []byte
	then func()
	seen bool
}

func (x *watchFor) Write(p []byte) (int, error) {
	if !x.seen && bytes.Contains(p, x.text) {
		x.seen = true
		x.then()
	}
	return x.w.Write(p)
}

// quitMarked waits until the watcher has marked its quit, which it does once
// quit returns, before it waits out the grace.
func quitMarked(t *testing.T, e *Ending) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		e.mu.Lock()
		marked := e.quit
		e.mu.Unlock()
		if marked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher never marked its quit (waited 5 s)")
		}
	}
}
