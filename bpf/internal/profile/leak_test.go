package profile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bpf "go-slowmo.dev/bpf"
	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
)

// leaky leaves two workers blocked sending on results (line 11), which only
// they reach once main returns, and a waiter blocked on jobs (line 15), a
// package variable's channel: the runtime calls the first leaked, not the second.
const leaky = `package main

import (
	"fmt"
	"time"
)

var jobs = make(chan int)

func worker(results chan int) {
	results <- 1
}

func waiter() {
	<-jobs
}

func main() {
	results := make(chan int)
	for i := 0; i < 3; i++ {
		go worker(results)
	}
	go waiter()
	fmt.Println(<-results)
	time.Sleep(10 * time.Millisecond)
}
`

const (
	workerLine = 11
	waiterLine = 15
)

// buildLeaky builds leaky with the profile helper, with the given Go release
// and, on 1.26, the experiment that gives it the detector.
func buildLeaky(t *testing.T, version string) string {
	t.Helper()
	src := t.TempDir()
	for name, text := range map[string]string{"main.go": leaky, "go.mod": "module prog\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := profile.Prepare(src); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+version, "CGO_ENABLED=0", "GOFLAGS=")
	if minor(version) == 26 {
		cmd.Env = append(cmd.Env, "GOEXPERIMENT=goroutineleakprofile")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build with %s: %v\n%s", version, err, out)
	}
	return bin
}

func minor(version string) int {
	m, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(version, "go1."), ".")[0])
	return m
}

// runLeaky runs bin with the leak report alone asked for: the report, and the profiles (none).
func runLeaky(t *testing.T, bin string) (map[string]any, []profile.Profile) {
	t.Helper()
	c, w, err := profile.Start()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), profile.FDEnv+"=3")
	cmd.Env = append(cmd.Env, profile.LeakEnvFor(false, true)...)
	cmd.ExtraFiles = []*os.File{w}
	out, err := cmd.Output()
	w.Close()
	if err != nil || string(out) != "1\n" {
		t.Fatalf("the program: %v, %q", err, out)
	}
	var log strings.Builder
	fields := c.LeakEvent(&log)()
	profiles, err := c.Finish("")
	if err != nil || fields == nil {
		t.Fatalf("no leak report: %v %s", err, log.String())
	}
	got := map[string]any{}
	for _, f := range fields {
		got[f.Name] = f.Value
	}
	return got, profiles
}

func TestTheRuntimeReportsTheUnreachableLeaksOnly(t *testing.T) {
	for _, version := range bpf.GoVersions() {
		if minor(version) < 25 {
			continue
		}
		t.Run(version, func(t *testing.T) {
			got, profiles := runLeaky(t, buildLeaky(t, version))
			if len(profiles) != 0 {
				t.Errorf("the leak report alone brought profiles too: %v", profiles)
			}
			if minor(version) < 26 {
				if got["available"] != false {
					t.Fatalf("%s has no detector, yet the report says %v", version, got)
				}
				return
			}
			gs := got["goroutines"].([]profile.LeakedGoroutine)
			if got["available"] != true || got["total"] != 2 || len(gs) != 2 || got["truncated"] != false {
				t.Fatalf("want the two workers, got %+v", got)
			}
			for _, g := range gs {
				if g.WaitReason != "chan send" || len(g.Frames) == 0 {
					t.Fatalf("goroutine %+v", g)
				}
				f := g.Frames[0]
				if f.Fn != "main.worker" || f.Line != workerLine || filepath.Base(f.File) != "main.go" {
					t.Errorf("g%d's leaf frame is %+v, want main.worker at main.go:%d", g.Goid, f, workerLine)
				}
				for _, f := range g.Frames {
					if f.Line == waiterLine || profile.IsHelperFrame(f.File) {
						t.Errorf("g%d has frame %+v", g.Goid, f)
					}
				}
			}
		})
	}
}

func TestParseLeaksKeepsTheLeakedGoroutinesFrames(t *testing.T) {
	text := `goroutine 1 gp=0xc000002380 m=0 mp=0x5b0e40 [running]:
runtime/pprof.writeGoroutineStacks({0x515bf8, 0xc000010018})
	/go/src/runtime/pprof/pprof.go:819 +0x6b
main.slowmoProfileLeaks(0xc000012345)
	/src/0002_slowmo_profile.go:170 +0x40
main.main()
	/src/0002_slowmo_profile.go:201 +0x25

goroutine 19 [chan send (leaked), 3 minutes]:
main.(*pool).put(...)
	/src/main.go:13
main.slowmoUserMain.func1()
	/src/main.go:21 +0x1c
created by main.slowmoUserMain in goroutine 1
	/src/main.go:20 +0x27

goroutine 22 [chan receive]:
main.waiter()
	/src/main.go:15 +0x1c
created by main.slowmoUserMain in goroutine 1
	/src/main.go:23 +0x8e

goroutine 23 [select (no cases) (leaked)]:
main.forever()
	/src/main.go:30 +0x19
`
	r := profile.ParseLeaks([]byte(text))
	if r.Unavailable || r.Total != 2 || len(r.Goroutines) != 2 {
		t.Fatalf("report %+v", r)
	}
	g := r.Goroutines[0]
	want := []stream.ProfileFrame{{Fn: "main.(*pool).put", File: "/src/main.go", Line: 13}, {Fn: "main.main.func1", File: "/src/main.go", Line: 21}}
	if g.Goid != 19 || g.WaitReason != "chan send" || len(g.Frames) != 2 || g.Frames[0] != want[0] || g.Frames[1] != want[1] {
		t.Errorf("g19: %+v, want frames %+v (the creator's line left out)", g, want)
	}
	if g := r.Goroutines[1]; g.Goid != 23 || g.WaitReason != "select (no cases)" || len(g.Frames) != 1 || g.Frames[0].Line != 30 {
		t.Errorf("g23: %+v", g)
	}
}
