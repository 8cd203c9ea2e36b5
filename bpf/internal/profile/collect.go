package profile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"go-slowmo.dev/bpf/internal/stream"
)

// Kinds are the profiles in the order the helper writes them and the probe sends them.
var Kinds = []string{"cpu", "block", "mutex", "goroutine", "wall"}

// maxBytes bounds what the probe reads of the helper's pipe (a teaching
// program's profiles take a few hundred KiB).
const maxBytes = 256 << 20

// Collector reads the helper's pipe while the program runs.
type Collector struct {
	r    *os.File
	done chan struct{}
	data []byte
	err  error

	finished sync.Once
	dir      string // where Events writes the pprof files
	profiles []Profile
	leak     *LeakReport
	parseErr error
}

// Start makes the pipe: the program gets w (its fd named in FDEnv), which
// the caller closes once the program has started.
func Start() (c *Collector, w *os.File, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	c = &Collector{r: r, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.data, c.err = io.ReadAll(io.LimitReader(r, maxBytes+1))
		if c.err == nil && len(c.data) > maxBytes {
			c.err = fmt.Errorf("the profiles take more than %d MiB", maxBytes>>20)
		}
	}()
	return c, w, nil
}

// Profile is one profile collected, cleaned of the helpers' own frames.
type Profile struct {
	Kind string
	*profile.Profile
}

// Finish, once the program has exited, reads what the helper wrote and
// parses it; none when the program ended before its main returned. dir, when
// not "", gets each profile as KIND.pprof. Only the first call reads; the
// leak report (Leak) comes from the same reading.
func (c *Collector) Finish(dir string) ([]Profile, error) {
	c.finished.Do(func() { c.profiles, c.leak, c.parseErr = c.finish(dir) })
	return c.profiles, c.parseErr
}

func (c *Collector) finish(dir string) ([]Profile, *LeakReport, error) {
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		// Something the program started still holds the pipe open: what it wrote is all there will be.
		c.r.Close()
		<-c.done
	}
	c.r.Close()
	if c.err != nil && len(c.data) == 0 {
		return nil, nil, c.err
	}
	profiles, leak, err := parseSections(c.data)
	if err != nil {
		return nil, leak, err
	}
	if dir != "" {
		for _, p := range profiles {
			if err := writeFile(filepath.Join(dir, p.Kind+".pprof"), p.Profile); err != nil {
				return profiles, leak, err
			}
		}
	}
	return profiles, leak, nil
}

func writeFile(path string, p *profile.Profile) error {
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// parseSections reads the helper's "NAME LENGTH\n" + bytes sections: the
// profiles, and the leak report when the helper wrote one.
func parseSections(data []byte) ([]Profile, *LeakReport, error) {
	var out []Profile
	var leak *LeakReport
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return out, leak, fmt.Errorf("profiles: a section without its header")
		}
		name, size, ok := strings.Cut(string(data[:nl]), " ")
		n, err := strconv.Atoi(size)
		if !ok || err != nil || n < 0 || n > len(data)-nl-1 {
			return out, leak, fmt.Errorf("profiles: bad section header %q", data[:nl])
		}
		body := data[nl+1 : nl+1+n]
		data = data[nl+1+n:]
		switch name {
		case "leak":
			leak = ParseLeaks(body)
			continue
		case "leak-unavailable":
			leak = &LeakReport{Unavailable: true}
			continue
		}
		var p *profile.Profile
		if name == "wall" {
			p, err = parseWall(body)
		} else {
			p, err = profile.ParseData(body)
		}
		if err != nil {
			return out, leak, fmt.Errorf("profiles: %s: %w", name, err)
		}
		clean(p)
		out = append(out, Profile{Kind: name, Profile: p})
	}
	return out, leak, nil
}

// parseWall makes a pprof profile of the helper's wall-clock samples.
func parseWall(text []byte) (*profile.Profile, error) {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "wall", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "wall", Unit: "nanoseconds"},
		Period:     WallPeriod,
	}
	funcs := map[[2]string]*profile.Function{}
	locs := map[string]*profile.Location{}
	var cur *profile.Sample
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "period "):
			if v, err := strconv.ParseInt(line[len("period "):], 10, 64); err == nil && v > 0 {
				p.Period = v
			}
		case strings.HasPrefix(line, "s "):
			v, err := strconv.ParseInt(line[2:], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad sample %q", line)
			}
			cur = &profile.Sample{Value: []int64{v}}
			p.Sample = append(p.Sample, cur)
		case strings.HasPrefix(line, "f ") && cur != nil:
			parts := strings.Split(line[2:], "\t")
			if len(parts) != 3 {
				return nil, fmt.Errorf("bad frame %q", line)
			}
			fn, file := parts[0], parts[1]
			ln, _ := strconv.ParseInt(parts[2], 10, 64)
			key := fn + "\t" + file + "\t" + parts[2]
			loc := locs[key]
			if loc == nil {
				f := funcs[[2]string{fn, file}]
				if f == nil {
					f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: fn, SystemName: fn, Filename: file}
					funcs[[2]string{fn, file}] = f
					p.Function = append(p.Function, f)
				}
				loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f, Line: ln}}}
				locs[key] = loc
				p.Location = append(p.Location, loc)
			}
			cur.Location = append(cur.Location, loc)
		}
	}
	return p, sc.Err()
}

// helperOwn says whether a function is the profile helper's own work (its
// sampler, its writer, runtime/pprof's CPU profile reader it started),
// whose samples are no part of the program's.
func helperOwn(fn string) bool {
	return strings.HasPrefix(fn, "main.slowmoProfile") || fn == "runtime/pprof.profileWriter"
}

// clean takes the helpers out of a profile: samples of the profile
// helper's own work go, the helpers' frames (the mains that wrap the
// learner's) leave the stacks, and the learner's main is named main.main
// again, so that the profile reads as the program's own.
func clean(p *profile.Profile) {
	own := map[*profile.Location]bool{}
	for _, l := range p.Location {
		for _, ln := range l.Line {
			own[l] = own[l] || (ln.Function != nil && helperOwn(ln.Function.Name))
		}
	}
	for _, f := range p.Function {
		f.Name, f.SystemName = LearnerName(f.Name), LearnerName(f.SystemName)
	}
	for _, l := range p.Location {
		kept := l.Line[:0]
		for _, ln := range l.Line {
			if ln.Function == nil || !IsHelperFrame(ln.Function.Filename) {
				kept = append(kept, ln)
			}
		}
		l.Line = kept
	}
	samples := p.Sample[:0]
	for _, s := range p.Sample {
		mine := false
		locs := s.Location[:0]
		for _, l := range s.Location {
			mine = mine || own[l]
			// runtime/pprof names every location: one without lines had only the helpers'.
			if len(l.Line) > 0 {
				locs = append(locs, l)
			}
		}
		s.Location = locs
		if !mine && len(locs) > 0 {
			samples = append(samples, s)
		}
	}
	p.Sample = samples
	// Drop what no sample uses any more (a location emptied of helper frames among them).
	used := map[*profile.Location]bool{}
	for _, s := range p.Sample {
		for _, l := range s.Location {
			used[l] = true
		}
	}
	locs := p.Location[:0]
	for _, l := range p.Location {
		if used[l] {
			locs = append(locs, l)
		}
	}
	p.Location = locs
	funcUsed := map[*profile.Function]bool{}
	for _, l := range p.Location {
		for _, ln := range l.Line {
			funcUsed[ln.Function] = true
		}
	}
	funcs := p.Function[:0]
	for _, f := range p.Function {
		if funcUsed[f] {
			funcs = append(funcs, f)
		}
	}
	p.Function = funcs
}

// Close lets go of the pipe when the run never came to its end.
func (c *Collector) Close() { c.r.Close() }

// Events is a run's stream.Config.Profiles: after the program's end, the
// profiles it wrote (to dir as files too, when dir is not ""), each as a
// `profile` event's fields. What goes wrong is said on log; the run goes on
// to its end without the profiles.
func (c *Collector) Events(dir string, log io.Writer) func() [][]stream.Field {
	if log == nil {
		log = io.Discard
	}
	c.dir = dir
	return func() [][]stream.Field {
		profiles, err := c.Finish(dir)
		if err != nil {
			fmt.Fprintf(log, "slowmo-probe: profiles: %v\n", err)
		}
		if len(profiles) == 0 && err == nil {
			fmt.Fprintln(log, "slowmo-probe: profiles: none: the program ended before its main returned (os.Exit, a crash or a limit)")
		}
		var out [][]stream.Field
		for _, p := range profiles {
			out = append(out, Fields(p))
		}
		return out
	}
}
