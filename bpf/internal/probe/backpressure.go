package probe

import (
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/sysmon"
)

// Back-pressure: a recording loses nothing, the program waits instead. The
// probes write records to a ring buffer that this side reads, turns into
// events and writes out; when the writing is slower than the program (a slow
// reader of our stdout, such as the bridge holding back for a slow client),
// the ring fills. Before it is full the probes stop the program
// (slowmo.bpf.c's backpressure: SIGSTOP once the ring holds highWater
// bytes), and the throttle continues it (SIGCONT) once the ring is read down
// to lowWater. The program is slowed, and run.end says by how much
// (throttledMs); lost stays for what nothing could hold.
//
// The signal takes effect as each thread of the program next leaves the
// kernel: the records made meanwhile (a few per thread) land in the room
// above highWater, which is most of the ring. The stop distorts what paced
// mode's pauses distort (pace.go): the monotonic clock runs on, so timers
// fire in a burst after it; sysmon's records are reset before each continue
// (package sysmon), so that it neither preempts a goroutine nor retakes a P merely
// because the program was stopped.

// The marks, as fractions of the ring: stop at a quarter full (events lag
// the program by at most that much), continue at a sixteenth, so that each
// stop lets the reader catch up by most of a quarter of the ring.
func highWater(ring int) uint64 { return uint64(ring / 4) }
func lowWater(ring int) int     { return ring / 16 }

// throttlePoll is how often the throttle looks for a stop, a drained ring
// and the program's end. A stop or the end is seen (and reported) at most
// this late; a continue comes at most this late after the ring fell below
// lowWater, while the reader still has lowWater bytes of records to read.
const throttlePoll = 5 * time.Millisecond

type throttle struct {
	*stream.Pauses
	probes   *Probes
	sinceVar *ebpf.Variable // throttled_since
	pid      int
	pidfd    int // readable once the program has ended; -1: unknown (then close says it)
	low      int
	ticks    *sysmon.Ticks // nil: sysmon's records cannot be reset (a PIE target)

	mu sync.Mutex // a check and the close
}

// startThrottle arms the probes' high-water mark and watches the program
// (pid, not yet started) for stops and for its end. report, when not nil, is
// told as the program stops running (a stop, its end: false) and goes on (true).
func startThrottle(probes *Probes, pid int, ticks *sysmon.Ticks, report func(running bool)) (*throttle, error) {
	ring := probes.Reader.BufferSize()
	since, err := probes.variable("throttled_since")
	if err != nil {
		return nil, err
	}
	high, err := probes.variable("high_water")
	if err != nil {
		return nil, err
	}
	if err := high.Set(highWater(ring)); err != nil {
		return nil, err
	}
	// The end is seen here, not when the probe has read the program's last
	// output: that waits for the probe's reader, which waits for ours.
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		pidfd = -1
	}
	t := &throttle{Pauses: stream.NewPauses(report), probes: probes, sinceVar: since, pid: pid, pidfd: pidfd,
		low: lowWater(ring), ticks: ticks}
	t.Poll(throttlePoll, t.check)
	return t, nil
}

// check notes the program's end, reports a new stop, and continues the
// program once the ring is drained.
func (t *throttle) check() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.Ended() {
		return
	}
	if t.pidfd >= 0 {
		if n, _ := unix.Poll([]unix.PollFd{{Fd: int32(t.pidfd), Events: unix.POLLIN}}, 0); n > 0 {
			t.End()
			return
		}
	}
	var since uint64
	if err := t.sinceVar.Get(&since); err != nil || since == 0 {
		return
	}
	t.Stop(since) // the stop under way, or a new one
	if t.probes.Reader.AvailableBytes() >= t.low {
		return
	}
	// The program is stopped while sysmon's records are written.
	_ = t.ticks.Reset() // best effort: the program may be exiting
	// Cleared before the continue: a stop after it is a new one.
	if err := t.sinceVar.Set(uint64(0)); err != nil {
		return
	}
	_ = syscall.Kill(t.pid, syscall.SIGCONT)
	t.Go()
}

// stopped says whether the program is stopped for back-pressure now (as far as the throttle has seen).
func (t *throttle) stopped() bool { return t.Stopping() }

// close stops watching once the program has ended (and says so, if the
// watch has not seen it); Stopped still answers.
func (t *throttle) close() {
	t.Pauses.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.End()
	if t.pidfd >= 0 {
		_ = unix.Close(t.pidfd)
		t.pidfd = -1
	}
}

// variable is one of the probes' global variables (slowmo.bpf.c's names).
func (p *Probes) variable(name string) (*ebpf.Variable, error) {
	v, ok := p.coll.Variables[name]
	if !ok {
		return nil, fmt.Errorf("the probes have no variable %s", name)
	}
	return v, nil
}
