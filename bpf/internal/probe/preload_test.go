package probe

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/target"
)

// The probes are loaded and verified knowing nothing of the target (it is
// still being built then), attached to its binary, and record nothing until
// they follow its process: not the same binary run by anyone else.
func TestProbesLoadBeforeTheTargetAndFollowOnlyIt(t *testing.T) {
	ebpftest.Require(t)
	probes, err := Load()
	if err != nil {
		t.Fatalf("load with no target: %v", err)
	}
	defer probes.Close()

	path := buildWith(t, runtime.Version(), "twop")
	bin, err := target.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	if err := probes.Attach(bin, false); err != nil {
		t.Fatalf("attach: %v", err)
	}

	// Another process of the same binary, before the probes follow anyone.
	other := exec.Command(path)
	other.Env = append(os.Environ(), "GOMAXPROCS=2")
	if out, err := other.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, out)
	}
	// Its records would be in the ring buffer by now: probes write as they fire.
	probes.Reader.SetDeadline(time.Now())
	var rec ringbuf.Record
	if err := probes.Reader.ReadInto(&rec); !errors.Is(err, os.ErrDeadlineExceeded) {
		r, _ := decode(rec.RawSample)
		t.Fatalf("the probes recorded a process they do not follow: %v (record kind %d, tid %d)", err, r.kind, r.tid)
	}

	h, err := launch.StartHeld(launch.Target{Binary: path, Env: append(os.Environ(), "GOMAXPROCS=2")})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stdout.Close()
	defer h.Stderr.Close()
	if err := probes.Follow(h.Pid); err != nil {
		h.Kill()
		t.Fatal(err)
	}
	if err := h.Open(); err != nil {
		t.Fatal(err)
	}
	if err := h.Cmd.Wait(); err != nil {
		t.Fatalf("the followed process: %v", err)
	}
	kinds := map[uint32]int{}
	for {
		probes.Reader.SetDeadline(time.Now())
		if err := probes.Reader.ReadInto(&rec); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
		r, err := decode(rec.RawSample)
		if err != nil {
			t.Fatal(err)
		}
		kinds[r.kind]++
	}
	// twop.go starts 32 goroutines, and runs them on its main thread and another.
	if kinds[kCreate] < 32 || kinds[kExecute] < 32 {
		t.Fatalf("the followed process: %d creations and %d executes recorded, want 32 or more of each (records by kind: %v)",
			kinds[kCreate], kinds[kExecute], kinds)
	}
}

// A preload nobody takes gives everything back, whether given up while
// loading or after; one handed over is its taker's to close.
func TestALoadGivenUpLeavesNothingOpen(t *testing.T) {
	ebpftest.Require(t)
	before := bpfFiles(t)

	taken := StartLoad()
	probes, err := taken.Wait()
	if err != nil {
		t.Fatal(err)
	}
	taken.Close()
	if _, err := probes.Lost(); err != nil {
		t.Fatalf("Close after Wait closed the taker's probes: %v", err)
	}
	probes.Close()

	early := StartLoad()
	early.Close() // still loading: the loader closes them when done
	late := StartLoad()
	<-late.done
	if bpfFiles(t) <= before {
		t.Fatal("a finished load holds no BPF objects: this test cannot see a leak")
	}
	late.Close()
	<-early.done
	if now := bpfFiles(t); now != before {
		t.Fatalf("%d BPF objects open before, %d once every load was closed or given up", before, now)
	}
}

// bpfFiles counts this process's open BPF objects (programs, maps, links).
func bpfFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if to, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(to, "anon_inode:bpf") {
			n++
		}
	}
	return n
}
