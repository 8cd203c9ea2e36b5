package profile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	pprof "github.com/google/pprof/profile"

	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/trace"
)

// spinWait spins in main.spin and blocks in main.wait (line 20) on a
// channel fed after a sleep.
const spinWait = `package main

import (
	"fmt"
	"time"
)

var sink int

func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			sink += i
		}
	}
}

func wait(ch chan int) int {
	return <-ch
}

func main() {
	ch := make(chan int)
	go func() {
		time.Sleep(200 * time.Millisecond)
		ch <- 1
	}()
	fmt.Println(wait(ch))
	spin(300 * time.Millisecond)
}
`

func build(t *testing.T, traced bool) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"main.go": spinWait, "go.mod": "module prog\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if traced {
		if err := trace.Prepare(src); err != nil {
			t.Fatal(err)
		}
	}
	if err := profile.Prepare(src); err != nil {
		t.Fatal(err)
	}
	main, _ := os.ReadFile(filepath.Join(src, "main.go"))
	if strings.Count(string(main), "\n") != strings.Count(spinWait, "\n") || !strings.Contains(string(main), "func slowmoUserMain()") {
		t.Fatalf("the learner's file is not as written but for main's name:\n%s", main)
	}
	bin := filepath.Join(dir, "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs bin with the profile pipe on fd 3 and collects its profiles into a directory.
func run(t *testing.T, bin string) ([]profile.Profile, string) {
	t.Helper()
	c, w, err := profile.Start()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), profile.FDEnv+"=3")
	cmd.ExtraFiles = []*os.File{w}
	out, err := cmd.Output()
	w.Close()
	if err != nil || string(out) != "1\n" {
		t.Fatalf("the program: %v, %q", err, out)
	}
	dir := t.TempDir()
	profiles, err := c.Finish(dir)
	if err != nil {
		t.Fatal(err)
	}
	return profiles, dir
}

// flat is each learner's line's value ("main.spin:31"), from its samples of valueType.
func flat(p *pprof.Profile, valueType string) map[string]int64 {
	vi := len(p.SampleType) - 1
	for i, st := range p.SampleType {
		if st.Type == valueType {
			vi = i
		}
	}
	byLine := map[string]int64{}
	for _, s := range p.Sample {
		for _, l := range s.Location {
			for _, ln := range l.Line {
				// The learner's frame: the spin loop's time.Now is the leaf of many a
				// wall-clock sample, and is main.spin's time.
				if strings.HasPrefix(ln.Function.Name, "main.") {
					byLine[ln.Function.Name+":"+strconv.FormatInt(ln.Line, 10)] += s.Value[vi]
					goto next
				}
			}
		}
	next:
	}
	return byLine
}

// top is the function (and line) of greatest flat value among those that are not the runtime's.
func top(p *pprof.Profile, valueType string) (string, int64) {
	best, bestV := "", int64(-1)
	for k, v := range flat(p, valueType) {
		if v > bestV {
			best, bestV = k, v
		}
	}
	return best, bestV
}

func checkProfiles(t *testing.T, profiles []profile.Profile, dir string) {
	t.Helper()
	byKind := map[string]*pprof.Profile{}
	for _, p := range profiles {
		byKind[p.Kind] = p.Profile
	}
	for _, k := range profile.Kinds {
		if byKind[k] == nil {
			t.Fatalf("no %s profile among %v", k, profiles)
		}
		data, err := os.ReadFile(filepath.Join(dir, k+".pprof"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := pprof.ParseData(data)
		if err != nil {
			t.Fatalf("%s.pprof: %v", k, err)
		}
		for _, f := range p.Function {
			if strings.Contains(f.Name, "slowmo") || profile.IsHelperFrame(f.Filename) {
				t.Errorf("%s.pprof has the helper's %s (%s)", k, f.Name, f.Filename)
			}
		}
	}
	if fn, _ := top(byKind["cpu"], "cpu"); !strings.HasPrefix(fn, "main.spin:") {
		t.Errorf("the cpu profile's top is %s, not main.spin", fn)
	}
	if fn, v := top(byKind["block"], "delay"); fn != "main.wait:20" || v < 100e6 {
		t.Errorf("the block profile's top is %s (%d ns), not main.wait:20 for the 200 ms sleep", fn, v)
	}
	// Wall-clock: the 200 ms of waiting and the 300 ms of spinning, each seen. Not "the top":
	// the sleeping goroutine's 200 ms ties with the wait, and the spin's time is spread over the
	// loop's lines (CI once saw main.main.func1:26 on top).
	wall := flat(byKind["wall"], "wall")
	spun := int64(0)
	for k, v := range wall {
		if strings.HasPrefix(k, "main.spin:") {
			spun += v
		}
	}
	if wall["main.wait:20"] < 100e6 || spun < 100e6 {
		t.Errorf("the wall profile has %d ns at main.wait:20 and %d ns in main.spin: %v", wall["main.wait:20"], spun, wall)
	}
}

func TestHelperAloneWritesEveryProfile(t *testing.T) {
	profiles, dir := run(t, build(t, false))
	checkProfiles(t, profiles, dir)
}

func TestHelperAfterTheTraceHelper(t *testing.T) {
	// Without the tracer's pipe its helper does nothing: the profiles are as alone.
	profiles, dir := run(t, build(t, true))
	checkProfiles(t, profiles, dir)
}

func TestNoProfilesWithoutThePipe(t *testing.T) {
	out, err := exec.Command(build(t, false)).Output()
	if err != nil || string(out) != "1\n" {
		t.Fatalf("the program without the pipe: %v, %q", err, out)
	}
}

func TestFieldsStayWithinTheProtocolsBounds(t *testing.T) {
	p := &pprof.Profile{SampleType: []*pprof.ValueType{{Type: "wall", Unit: "nanoseconds"}}}
	fn := &pprof.Function{ID: 1, Name: "main.f", Filename: "main.go"}
	shared := &pprof.Location{ID: 1, Line: []pprof.Line{{Function: fn, Line: 3}}}
	for i := 0; i < stream.ProfileFramesMax+10; i++ {
		leaf := &pprof.Location{ID: uint64(i + 2), Line: []pprof.Line{{Function: fn, Line: int64(100 + i)}}}
		p.Sample = append(p.Sample, &pprof.Sample{Location: []*pprof.Location{leaf, shared}, Value: []int64{int64(i + 1)}})
	}
	fields := profile.Fields(profile.Profile{Kind: "wall", Profile: p})
	got := map[string]any{}
	for _, f := range fields {
		got[f.Name] = f.Value
	}
	frames := got["frames"].([]stream.ProfileFrame)
	samples := got["samples"].([]stream.ProfileSample)
	if len(frames) != stream.ProfileFramesMax || got["truncated"] != true {
		t.Fatalf("%d frames, truncated %v; want %d, true", len(frames), got["truncated"], stream.ProfileFramesMax)
	}
	// The samples of greatest value are kept, leaf first, the shared caller once.
	if samples[0].Value != float64(stream.ProfileFramesMax+10) || len(samples) != stream.ProfileFramesMax-1 {
		t.Fatalf("first sample %v of %d", samples[0], len(samples))
	}
	if f := frames[samples[0].Stack[0]]; f.Line != int64(100+stream.ProfileFramesMax+9) {
		t.Errorf("leaf frame %v", f)
	}
	if samples[0].Stack[1] != samples[1].Stack[1] || frames[samples[0].Stack[1]].Line != 3 {
		t.Errorf("the caller is not one frame: %v %v", samples[0], samples[1])
	}
	if got["unit"] != "nanoseconds" || got["profile"] != "wall" {
		t.Errorf("unit %v profile %v", got["unit"], got["profile"])
	}
}

func TestPrepareRefusesAProgramWithoutMain(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package main\n\nfunc f() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := profile.Prepare(dir); !profile.IsBadInput(err) {
		t.Fatalf("Prepare: %v, want bad input", err)
	}
}
