package profile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go-slowmo.dev/bpf/internal/stream"
)

// The runtime's goroutine leak detector (Go 1.26 with
// GOEXPERIMENT=goroutineleakprofile, 1.27 always): a GC cycle that treats the
// channels, mutexes, wait groups and conds goroutines wait on as roots only
// when something still running can reach them. A goroutine blocked on one
// that only other blocked goroutines reach can never be woken: it is marked
// leaked. It is reachability, not the program's future: a goroutine blocked
// on a channel a package variable holds is never reported, though nothing
// may ever use that channel again.

// Bounds of a leak.report event, as kernel-bridge's protocol/leak.ts has them.
const (
	LeakGoroutinesMax = 10000
	LeakFramesMax     = 64
)

// LeakReport is what the runtime's detector found as main returned.
type LeakReport struct {
	// Unavailable: this runtime has no goroutineleak profile (before Go
	// 1.26, or 1.26 built without the experiment).
	Unavailable bool
	Goroutines  []LeakedGoroutine
	// Total leaked goroutines, also those left out past LeakGoroutinesMax.
	Total int
}

// LeakedGoroutine is one goroutine the runtime reported leaked.
type LeakedGoroutine struct {
	Goid       int64                 `json:"goid"`
	WaitReason string                `json:"waitReason"`
	Frames     []stream.ProfileFrame `json:"frames"`
}

// "goroutine 19 [chan send (leaked)]:", with gp= and m= at high traceback
// levels, and ", 5 minutes" or ", locked to thread" after the status.
var leakHeader = regexp.MustCompile(`^goroutine (\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[(.*)\]:$`)

// ParseLeaks reads the goroutineleak profile as debug 2 writes it (every
// goroutine's traceback, the leaked ones' status ending "(leaked)"): the
// leaked goroutines, leaf frame first, without the helpers' frames and with
// the learner's main named main.main again.
func ParseLeaks(text []byte) *LeakReport {
	r := &LeakReport{Goroutines: []LeakedGoroutine{}}
	var cur *LeakedGoroutine
	inStack := false
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := leakHeader.FindStringSubmatch(line); m != nil {
			cur, inStack = nil, false
			status, _, _ := strings.Cut(m[2], ", ")
			reason, leaked := strings.CutSuffix(status, " (leaked)")
			if !leaked {
				continue
			}
			r.Total++
			if len(r.Goroutines) == LeakGoroutinesMax {
				continue
			}
			goid, _ := strconv.ParseInt(m[1], 10, 64)
			r.Goroutines = append(r.Goroutines, LeakedGoroutine{Goid: goid, WaitReason: cut(reason), Frames: []stream.ProfileFrame{}})
			cur, inStack = &r.Goroutines[len(r.Goroutines)-1], true
			continue
		}
		if cur == nil || !inStack || line == "" {
			continue
		}
		if strings.HasPrefix(line, "created by ") {
			inStack = false // the creator's frame is not on the goroutine's stack
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			fn := line
			if i := strings.LastIndexByte(line, '('); i > 0 && strings.HasSuffix(line, ")") {
				fn = line[:i]
			}
			if !strings.HasPrefix(fn, "...") {
				cur.Frames = append(cur.Frames, stream.ProfileFrame{Fn: fn})
			}
			continue
		}
		n := len(cur.Frames)
		if n == 0 || cur.Frames[n-1].File != "" {
			continue
		}
		at, _, _ := strings.Cut(strings.TrimSpace(line), " +0x")
		i := strings.LastIndexByte(at, ':')
		ln, err := strconv.ParseInt(at[i+1:], 10, 64)
		if i < 0 || err != nil {
			cur.Frames = cur.Frames[:n-1]
			continue
		}
		f := &cur.Frames[n-1]
		f.File, f.Line = cut(at[:i]), ln
		if IsHelperFrame(f.File) || len(cur.Frames) > LeakFramesMax {
			cur.Frames = cur.Frames[:n-1]
			continue
		}
		f.Fn = cut(LearnerName(f.Fn))
	}
	return r
}

// LeakEnvFor is the program's LeakEnv setting for a run with the profiles
// or the leak report or both: none without the report.
func LeakEnvFor(profiles, leak bool) []string {
	switch {
	case !leak:
		return nil
	case profiles:
		return []string{LeakEnv + "=1"}
	default:
		return []string{LeakEnv + "=only"}
	}
}

// LeakFields are a `leak.report` event's fields (kernel-bridge's protocol/leak.ts).
func LeakFields(r *LeakReport) []stream.Field {
	if r.Unavailable {
		return []stream.Field{stream.F("available", false), stream.F("goroutines", []LeakedGoroutine{}),
			stream.F("total", 0), stream.F("truncated", false)}
	}
	return []stream.Field{stream.F("available", true), stream.F("goroutines", r.Goroutines),
		stream.F("total", r.Total), stream.F("truncated", r.Total > len(r.Goroutines))}
}

// LeakEvent is a run's stream.Config.Leak: after the program's end, the
// fields of the leak report the helper wrote, or nil when it wrote none
// (main did not return). What goes wrong is said on log.
func (c *Collector) LeakEvent(log io.Writer) func() []stream.Field {
	if log == nil {
		log = io.Discard
	}
	return func() []stream.Field {
		if _, err := c.Finish(c.dir); err != nil {
			fmt.Fprintf(log, "slowmo-probe: leak report: %v\n", err)
		}
		if c.leak == nil {
			fmt.Fprintln(log, "slowmo-probe: leak report: none: the program ended before its main returned (os.Exit, a crash or a limit)")
			return nil
		}
		return LeakFields(c.leak)
	}
}
