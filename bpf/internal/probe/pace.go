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

	"go-slowmo.dev/bpf/internal/sysmon"
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
//	step        one event, then stay paused
//	stepline [N] events until a goroutine reaches another user line, then
//	            stay paused (at most N events, default 2000)
//	pause       stop delivering events
//	speed N     deliver N events per second
//	resume      run at full speed to the end (no more stops)
//
// End of input counts as resume, so a run never hangs on a closed pipe.
//
// stepline ends at the first line event whose goroutine was last seen on a
// different line (or on none): a loop whose body is one line repeats that
// line and never ends it, nor does a program waiting on something that
// makes no event, so the bound keeps a step finite. At the bound the pause
// simply happens there, and a client sees that the last event is no new
// line. Every event on the way is delivered as usual.
//
// What pacing distorts: the monotonic clock runs on while the target is
// stopped, so timers fire in a burst after a long pause. Sysmon would see
// long time slices and system calls too; package sysmon resets its records before
// each continue so that it does not preempt a goroutine or retake a P merely
// because the program was stopped, unless the run asked to let sysmon see
// the pauses (Options.SysmonSeesPauses). The target also runs with
// GODEBUG=asyncpreemptoff=1 (no preemption signals) either way, so what
// sysmon then decides shows as cooperative preemption at a function call.
type pacer struct {
	out    *bufio.Writer
	probes *Probes
	pid    int
	queue  []paced
	queued int // bytes in queue
	mode   paceMode
	speed  float64
	credit int
	// Events the current stepline may still deliver; 0 when none is under
	// way. Unlike steps, steplines do not add up: a client waits for the line
	// (kernel-bridge/src/run-clock.ts mirrors this).
	lineStep int
	at       map[int64]srcLine // goid -> the line its last delivered line event named
	last     time.Time
	ended    bool
	wake     chan struct{}
	ticks    *sysmon.Ticks // nil when sysmon's records are not to be reset
}

// paced is one queued event line; goid is set only for a line event.
type paced struct {
	data []byte
	goid int64
	at   srcLine
}

type srcLine struct {
	file string
	line int64
}

// DefaultLineStep bounds a stepline that names no bound: enough for the
// runtime's start-up (a few hundred events) to reach main's first line.
const DefaultLineStep = 2000

// maxLineStep bounds what a client may ask for.
const maxLineStep = 1_000_000

type paceMode int

const (
	paused paceMode = iota
	playing
	free
)

func newPacer(out *bufio.Writer, probes *Probes, pid int, speed float64) *pacer {
	p := &pacer{out: out, probes: probes, pid: pid, speed: speed, wake: make(chan struct{}, 1), at: map[int64]srcLine{}}
	if speed > 0 {
		p.mode = playing
	}
	return p
}

// maxQueued bounds the bytes of events waiting for the pace. Events stop
// the target as they are made, but output does not: a program that writes
// without making events would fill the queue while the learner looks.
const maxQueued = 4 << 20

// push queues e, written out as line. Called with the run's lock held.
func (p *pacer) push(e *Event, line []byte) {
	q := paced{data: append([]byte(nil), line...)}
	if e.Kind == "line" {
		q.goid, q.at = lineAt(e)
	}
	p.queue = append(p.queue, q)
	p.queued += len(q.data)
	if p.queued > maxQueued && p.mode != free {
		// Continued, as after any event, once the queue is out (loop).
		_ = syscall.Kill(p.pid, syscall.SIGSTOP)
	}
	p.poke()
}

// lineAt reads a line event's fields back (normalize.go writes them).
func lineAt(e *Event) (goid int64, at srcLine) {
	for _, f := range e.Fields {
		switch v := f.Value.(type) {
		case int64:
			switch f.Name {
			case "goid":
				goid = v
			case "line":
				at.line = v
			}
		case int:
			switch f.Name {
			case "goid":
				goid = int64(v)
			case "line":
				at.line = int64(v)
			}
		case string:
			if f.Name == "file" {
				at.file = v
			}
		}
	}
	return goid, at
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
		p.mode, p.lineStep = paused, 0
		p.credit++
		return p.probes.SetPaced(true)
	case f[0] == "stepline" && len(f) <= 2:
		bound := DefaultLineStep
		if len(f) == 2 {
			v, err := strconv.Atoi(f[1])
			if err != nil || v < 1 || v > maxLineStep {
				return fmt.Errorf("stepline %q: give the most events to deliver, 1 to %d", f[1], maxLineStep)
			}
			bound = v
		}
		if !p.probes.HasLines() {
			// Stepping on would run to the bound with no line to stop at.
			return fmt.Errorf("stepline: this run has no line probes (none in user code, or removed when it was resumed at full speed)")
		}
		p.mode, p.credit, p.lineStep = paused, 0, bound
		return p.probes.SetPaced(true)
	case f[0] == "pause" && len(f) == 1:
		p.mode, p.lineStep = paused, 0
		p.credit = 0
		return p.probes.SetPaced(true)
	case f[0] == "resume" && len(f) == 1:
		p.mode, p.lineStep = free, 0
		return p.probes.SetPaced(false)
	case f[0] == "speed" && len(f) == 2:
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || v <= 0 || v > 1e6 {
			return fmt.Errorf("speed %q: give events per second, a number above 0", f[1])
		}
		p.mode, p.speed, p.lineStep = playing, v, 0
		return p.probes.SetPaced(true)
	}
	return fmt.Errorf("unknown command %q: use step, stepline [N], pause, resume or speed N", line)
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
			if p.mode == paused && p.credit == 0 && p.lineStep == 0 {
				break
			}
			if p.mode == playing {
				interval := time.Duration(float64(time.Second) / p.speed)
				if d := interval - time.Since(p.last); d > 0 {
					wait = d
					break
				}
			}
			q := p.queue[0]
			if p.mode == paused {
				if p.lineStep > 0 {
					p.lineStep--
					if q.goid != 0 && p.at[q.goid] != q.at {
						p.lineStep = 0
					} else if p.lineStep == 0 {
						fmt.Fprintln(os.Stderr, "slowmo-probe: stepline: no goroutine reached another line within its bound of events; paused there")
					}
				} else {
					p.credit--
				}
			}
			if q.goid != 0 {
				p.at[q.goid] = q.at
			}
			_, _ = p.out.Write(q.data)
			p.queued -= len(q.data)
			p.queue[0] = paced{}
			p.queue = p.queue[1:]
			p.last = time.Now()
		}
		_ = p.out.Flush()
		if p.ended && len(p.queue) == 0 {
			lock.Unlock()
			return
		}
		if len(p.queue) == 0 && !p.ended && (p.mode != paused || p.credit > 0 || p.lineStep > 0) {
			_ = p.ticks.Reset() // best effort: the target may be exiting
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
