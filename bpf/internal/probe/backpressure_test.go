package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// gate is a reader of the events that stops reading until the program has
// been stopped for back-pressure, as a slow client would: the ring fills
// behind it, and the probes must stop the program rather than drop records.
type gate struct {
	mu      sync.Mutex
	out     bytes.Buffer
	open    chan struct{}
	once    sync.Once
	reports []bool // what Options.Running was told
}

func (g *gate) Write(p []byte) (int, error) {
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.Write(p)
}

func (g *gate) running(running bool) {
	g.mu.Lock()
	g.reports = append(g.reports, running)
	g.mu.Unlock()
	if !running {
		g.once.Do(func() { close(g.open) })
	}
}

func TestBackPressureStopsTheProgramInsteadOfLosing(t *testing.T) {
	ebpftest.Require(t)
	bin := buildWith(t, "local", "owner")
	g := &gate{open: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- Run(Options{Binary: bin, Procs: 2, Out: g, Running: g.running})
	}()
	select {
	case <-g.open:
	case <-time.After(20 * time.Second):
		t.Fatal("the program was never stopped, though nobody read its events")
	case err := <-done:
		t.Fatalf("the run ended before anybody read its events: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var end map[string]any
	events := 0
	sc := bufio.NewScanner(io.Reader(&g.out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		if e["seq"] != float64(events) {
			t.Fatalf("seq %v at position %d", e["seq"], events)
		}
		events++
		if e["kind"] == "run.end" {
			end = e
		}
	}
	t.Logf("%d events; run.end %v; stops and continues reported: %v", events, end, g.reports)
	if end["lost"] != 0.0 || end["reason"] != "exit" || end["exitCode"] != 0.0 {
		t.Errorf("run.end %v: want lost 0 and the program's own exit 0", end)
	}
	if ms, _ := end["throttledMs"].(float64); ms <= 0 {
		t.Errorf("run.end throttledMs %v: the program was stopped, want its time", end["throttledMs"])
	}
	// Each stop reported (false) was followed by its continue (true), and the end by false.
	if len(g.reports) < 3 || len(g.reports)%2 != 1 {
		t.Errorf("reports %v: want stop, continue pairs, then the end", g.reports)
	}
	for i, running := range g.reports {
		if running != (i%2 == 1) {
			t.Errorf("reports %v: want stop, continue pairs, then the end", g.reports)
			break
		}
	}
}
