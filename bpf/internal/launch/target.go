// Package launch starts the program a backend records: with its
// environment, under a launcher (the bridge's sandbox) or not, with its
// output piped, and for the eBPF backend held at a gate until the probes
// follow it.
package launch

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"go-slowmo.dev/bpf/internal/stream"
)

// Target is a program to start and how.
type Target struct {
	Binary string // its path here
	Args   []string
	Env    []string // the whole environment (Env)
	Dir    string   // where it starts; "": here
	// Launcher, when set, is the command line the program runs under (a
	// sandbox, dropping to an unprivileged user): it must end by exec'ing
	// the command it is given. Inside is the binary's path as the
	// launcher's sandbox sees it ("": Binary).
	Launcher []string
	Inside   string
	// Extra are more descriptors for the program, after the launch's own
	// (StartHeld's gate): HeldFD says their numbers.
	Extra []*os.File
}

// Launched says whether the program runs under a launcher.
func (t Target) Launched() bool { return len(t.Launcher) > 0 }

// Path is the binary's path as the program itself sees it (its argv[0]).
func (t Target) Path() string {
	if t.Launched() && t.Inside != "" {
		return t.Inside
	}
	return t.Binary
}

// Command is argv followed by the program's arguments, under the launcher
// if any, in a process group of its own (so that a kill reaches whatever
// the launcher forked) that dies with the probe.
func (t Target) Command(argv ...string) *exec.Cmd {
	argv = append(append(append([]string{}, t.Launcher...), argv...), t.Args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = t.Env
	cmd.Dir = t.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// Start starts cmd with its stdout and stderr piped to us and extra as its
// descriptors from 3 on; extra are closed here once it has started (they
// are the ends the program holds).
func Start(cmd *exec.Cmd, extra ...*os.File) (stream.Program, error) {
	defer func() {
		for _, f := range extra {
			f.Close()
		}
	}()
	cmd.ExtraFiles = extra
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return stream.Program{}, err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		stdout.Close()
		stdoutW.Close()
		return stream.Program{}, err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	err = cmd.Start()
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdout.Close()
		stderr.Close()
		return stream.Program{}, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return stream.Program{Cmd: cmd, Stdout: stdout, Stderr: stderr}, nil
}

// sandboxBase is all a launched program gets of an environment besides its
// settings: nothing of the probe's own, which may hold the bridge's secrets.
var sandboxBase = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8"}

// Env is the program's environment: GOMAXPROCS=procs, godebug (when not
// "") added to GODEBUG, and extra, over the probe's own environment, or,
// launched, over a bare one.
func Env(launched bool, procs int, godebug string, extra ...string) []string {
	var env []string
	if launched {
		env = append(env, sandboxBase...)
	} else {
		env = os.Environ()
		if old := os.Getenv("GODEBUG"); old != "" && godebug != "" {
			godebug = old + "," + godebug
		}
	}
	env = append(env, "GOMAXPROCS="+strconv.Itoa(procs))
	if godebug != "" {
		env = append(env, "GODEBUG="+godebug)
	}
	return append(env, extra...)
}
