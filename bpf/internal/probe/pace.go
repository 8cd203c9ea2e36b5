package probe

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Paced mode: go-slowmo's slow motion. Every probe that writes a record also
// stops the whole target (bpf_send_signal(SIGSTOP)), so the program waits
// while a person looks. Records that other threads wrote before the stop
// took effect wait in a queue: events come out one at a time however many
// the target produced, and the target is continued (SIGCONT) only when the
// queue is empty and someone wants more.
//
// Commands, one per line on the control input:
//
//	step     one event, then stay paused
//	pause    stop delivering events
//	speed N  deliver N events per second
//	resume   run at full speed to the end (no more stops)
//
// End of input counts as resume, so a run never hangs on a closed pipe.
//
// What pacing distorts: the monotonic clock runs on while the target is
// stopped, so timers fire in a burst after a long pause. Sysmon would see
// long time slices and system calls too; sysmon.go resets its records before
// each continue so that it does not preempt a goroutine or retake a P merely
// because the program was stopped. The target also runs with
// GODEBUG=asyncpreemptoff=1 (no preemption signals), as before.
type pacer struct {
	out    *bufio.Writer
	probes *Probes
	pid    int
	queue  [][]byte
	mode   paceMode
	speed  float64
	credit int
	last   time.Time
	ended  bool
	wake   chan struct{}
	ticks  *sysmonTicks // nil when sysmon's records cannot be reset
}

type paceMode int

const (
	paused paceMode = iota
	playing
	free
)

func newPacer(out *bufio.Writer, probes *Probes, pid int, speed float64) *pacer {
	p := &pacer{out: out, probes: probes, pid: pid, speed: speed, wake: make(chan struct{}, 1)}
	if speed > 0 {
		p.mode = playing
	}
	return p
}

// push queues one event line. Called with the run's lock held.
func (p *pacer) push(line []byte) {
	p.queue = append(p.queue, append([]byte(nil), line...))
	p.poke()
}

// end says the target is gone and run.end is queued. Called with the run's lock held.
func (p *pacer) end() {
	p.ended = true
	p.poke()
}

func (p *pacer) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// command applies one control line; it returns an error for a line it does not understand.
func (p *pacer) command(line string) error {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "step" && len(f) == 1:
		p.mode = paused
		p.credit++
		return p.probes.SetPaced(true)
	case f[0] == "pause" && len(f) == 1:
		p.mode = paused
		p.credit = 0
		return p.probes.SetPaced(true)
	case f[0] == "resume" && len(f) == 1:
		p.mode = free
		return p.probes.SetPaced(false)
	case f[0] == "speed" && len(f) == 2:
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || v <= 0 || v > 1e6 {
			return fmt.Errorf("speed %q: give events per second, a number above 0", f[1])
		}
		p.mode, p.speed = playing, v
		return p.probes.SetPaced(true)
	}
	return fmt.Errorf("unknown command %q: use step, pause, resume or speed N", line)
}

// loop delivers events as the mode says until the target has ended and
// everything is out. lock is the run's lock, which guards the queue.
func (p *pacer) loop(lock interface {
	Lock()
	Unlock()
}, control io.Reader) {
	commands := make(chan string)
	go func() {
		sc := bufio.NewScanner(control)
		for sc.Scan() {
			commands <- sc.Text()
		}
		close(commands)
	}()
	for {
		lock.Lock()
		var wait time.Duration = -1
		for len(p.queue) > 0 {
			if p.mode == paused && p.credit == 0 {
				break
			}
			if p.mode == playing {
				interval := time.Duration(float64(time.Second) / p.speed)
				if d := interval - time.Since(p.last); d > 0 {
					wait = d
					break
				}
			}
			if p.mode == paused {
				p.credit--
			}
			_, _ = p.out.Write(p.queue[0])
			p.queue = p.queue[1:]
			p.last = time.Now()
		}
		_ = p.out.Flush()
		if p.ended && len(p.queue) == 0 {
			lock.Unlock()
			return
		}
		if len(p.queue) == 0 && !p.ended && (p.mode != paused || p.credit > 0) {
			_ = p.ticks.reset() // best effort: the target may be exiting
			_ = syscall.Kill(p.pid, syscall.SIGCONT)
		}
		lock.Unlock()

		var tick <-chan time.Time
		if wait >= 0 {
			tick = time.After(wait)
		}
		select {
		case <-p.wake:
		case <-tick:
		case line, ok := <-commands:
			lock.Lock()
			if !ok {
				commands = nil
				p.mode = free
				_ = p.probes.SetPaced(false)
			} else if err := p.command(line); err != nil {
				fmt.Fprintln(os.Stderr, "slowmo-probe:", err)
			}
			lock.Unlock()
		}
	}
}
