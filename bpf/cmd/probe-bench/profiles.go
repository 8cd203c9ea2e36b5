package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"go-slowmo.dev/bpf/internal/profile"
)

// What the runtime's profiles cost (slowmo-probe run|trace --profile): a
// program that spins, hands a token back and forth on a channel and
// contends for a mutex, recorded by each backend without the profiles,
// with them all, and with each alone (profile.OnlyEnv). Its own time (main's
// start to end, from its marks) says what the profiles cost while it runs;
// the wall time adds writing them at the end and the probe's conversion.
const profileProgram = `package main

import (
	"sync"
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

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < 5000; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				mu.Lock()
				sink++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	spin(100 * time.Millisecond)
}
`

// profileRuns: each way three times (each run is about a second, the
// probe's loading most of it).
const profileRuns = 3

// profileRun runs slowmo-probe once: its wall time and the program's own
// (between the marks it writes as main starts and ends).
func profileRun(probe string, args, env []string) (wall, own time.Duration, profiles int) {
	cmd := exec.Command(probe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 1<<16), 64<<20)
	var ms []int64
	for sc.Scan() {
		switch string(between(sc.Bytes(), `"kind":"`, '"')) {
		case "output":
			var out struct {
				Data string `json:"data"`
			}
			if json.Unmarshal(sc.Bytes(), &out) == nil {
				ms = append(ms, marks(out.Data)...)
			}
		case "profile":
			profiles++
		}
	}
	if err := cmd.Wait(); err != nil {
		fail(fmt.Errorf("%s %v: %v", probe, args, err))
	}
	wall = time.Since(start)
	if len(ms) >= 2 {
		own = time.Duration(ms[len(ms)-1] - ms[0])
	}
	return wall, own, profiles
}

// profilesBench prints, per backend, each way's own and wall time beside
// the run without profiles, as ratios.
func profilesBench(probe, work string, ebpf bool) {
	type way struct {
		name string
		args []string
		env  []string
	}
	ways := []way{
		{"without", nil, nil},
		{"--profile", []string{"--profile"}, nil},
		{"cpu", []string{"--profile"}, []string{profile.OnlyEnv + "=cpu"}},
		{"block", []string{"--profile"}, []string{profile.OnlyEnv + "=block"}},
		{"mutex", []string{"--profile"}, []string{profile.OnlyEnv + "=mutex"}},
		{"wall", []string{"--profile"}, []string{profile.OnlyEnv + "=wall"}},
	}
	type backendWays struct {
		name string
		args []string
		bin  string // built with the profile helper; without --profile it does nothing
	}
	var backends []backendWays
	if ebpf {
		backends = append(backends, backendWays{"eBPF", []string{"run", "--procs", "2"},
			build(probe, filepath.Join(work, "profiles-ebpf"), "profiles", profileProgram, profileBuild)})
	}
	backends = append(backends, backendWays{"trace", []string{"trace", "--procs", "2"},
		build(probe, filepath.Join(work, "profiles-trace"), "profiles", profileProgram, profileTraceBuild)})

	fmt.Printf("\nthe runtime's profiles (--profile) against the same run without them (median of %d): "+
		"5,000 channel round trips, 8 goroutines on one mutex, 100 ms of spinning; "+
		"'own' is main's start to end, 'wall' adds writing and converting the profiles\n", profileRuns)
	fmt.Printf("%-7s %-10s %9s %8s %9s %8s %9s\n", "backend", "profiles", "own", "own x", "wall", "wall x", "profiles")
	for _, be := range backends {
		var baseOwn, baseWall time.Duration
		for _, w := range ways {
			var walls, owns []time.Duration
			got := 0
			for i := 0; i < profileRuns; i++ {
				args := append(append(append([]string{}, be.args...), w.args...), "--", be.bin)
				wall, own, n := profileRun(probe, args, w.env)
				walls, owns, got = append(walls, wall), append(owns, own), n
			}
			wall, own := median(walls), median(owns)
			if w.name == "without" {
				baseOwn, baseWall = own, wall
			}
			fmt.Printf("%-7s %-10s %9s %8.2f %9s %8.2f %9d\n", be.name, w.name, ms(own),
				float64(own)/float64(max(baseOwn, 1)), ms(wall), float64(wall)/float64(max(baseWall, 1)), got)
		}
	}
}
