package launch

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"go-slowmo.dev/bpf/internal/stream"
)

// ExecHelper is the probe's hidden subcommand that waits on fd 3 and then
// execs the target (ExecTarget). Starting the target through it gives the
// probe the target's pid (exec keeps it) before the target runs its first
// instruction, so the probes filter on that pid and miss nothing from the
// start.
const ExecHelper = "__exec"

// Helper is the helper's main, given the arguments after ExecHelper
// (BINARY [ARGS]): it becomes the target, or exits 127 saying why not. The
// probe's command and the tests' binaries (which Run starts as the helper)
// call it.
func Helper(args []string) {
	if len(args) < 1 {
		os.Exit(2)
	}
	if err := ExecTarget(args[0], args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "slowmo-probe:", err)
	}
	os.Exit(127)
}

// ExecTarget is the helper's side: wait for the probe's go on fd 3, then become the target.
func ExecTarget(path string, args []string) error {
	gate := os.NewFile(3, "gate")
	one := make([]byte, 1)
	if _, err := gate.Read(one); err != nil {
		return fmt.Errorf("the probe went away before starting %s", path)
	}
	gate.Close()
	return syscall.Exec(path, append([]string{path}, args...), targetEnv(os.Environ()))
}

// heldGodebug carries the target's GODEBUG through the helper, which is a Go
// program too: under its own name the helper's runtime would act on it
// (schedtrace and gctrace lines from the helper while it waits at the gate,
// in the target's output).
const heldGodebug = "SLOWMO_HELD_GODEBUG="

// helperEnv is the target's environment as the helper gets it: GODEBUG renamed.
func helperEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			kv = heldGodebug + v
		}
		out = append(out, kv)
	}
	return out
}

// targetEnv undoes helperEnv.
func targetEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, heldGodebug); ok {
			kv = "GODEBUG=" + v
		}
		out = append(out, kv)
	}
	return out
}

// Under a launcher the probe keeps its own privilege; only the program
// inside the launcher runs with none. The probe appends a tiny /bin/sh gate
// that waits on fd 3 and then execs the target, finds that gate among the
// launcher's descendants (a sandbox with its own pid namespace forks, so
// its pid is not the launcher's), attaches to its pid and opens the gate.
// The gate first says on fd 4 that it runs, so that the probe looks for it
// then rather than polling while the sandbox starts (quiet if a launcher
// did not pass fd 4 on: the probe then polls).
const gateScript = `{ echo >&4; } 2>/dev/null; exec 4>&-; read -r _ <&3 || exit 127; exec 3<&-; exec "$0" "$@"`

// Held is a started target that waits at its gate.
type Held struct {
	stream.Program
	Pid     int      // the target's pid once it execs (the gate's pid)
	Release *os.File // the gate: Open writes it; closed without a line, the gate exits 127
}

// HeldFD is the number the program started by StartHeld has its i-th
// Target.Extra descriptor under: after the gate (3) and, launched, the
// gate's "I run" (4), which the gate closes before it execs the program.
func HeldFD(launched bool, i int) int {
	if launched {
		return 5 + i
	}
	return 4 + i
}

// StartHeld starts t, stopped at its gate, with stdout and stderr piped.
func StartHeld(t Target) (*Held, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	gate, release, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	want, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", gate.Fd()))
	if err != nil {
		gate.Close()
		release.Close()
		return nil, err
	}
	if !t.Launched() {
		cmd := t.Command(self, ExecHelper, t.Binary)
		cmd.Env = helperEnv(cmd.Env)
		p, err := Start(cmd, append([]*os.File{gate}, t.Extra...)...)
		if err != nil {
			release.Close()
			return nil, err
		}
		return &Held{Program: p, Pid: p.Cmd.Process.Pid, Release: release}, nil
	}
	running, runningW, err := os.Pipe() // the gate's "I run" (fd 4)
	if err != nil {
		gate.Close()
		release.Close()
		return nil, err
	}
	defer running.Close()
	p, err := Start(t.Command("/bin/sh", "-c", gateScript, t.Path()), append([]*os.File{gate, runningW}, t.Extra...)...)
	if err != nil {
		release.Close()
		return nil, err
	}
	h := &Held{Program: p, Pid: p.Cmd.Process.Pid, Release: release}
	if h.Pid, err = findGate(p.Cmd.Process.Pid, want, running, 10*time.Second); err != nil {
		h.Pid = p.Cmd.Process.Pid
		said := h.abandon(512)
		if line, _, _ := strings.Cut(strings.TrimSpace(said), "\n"); line != "" {
			err = fmt.Errorf("%w: %s", err, line)
		}
		return nil, fmt.Errorf("launcher %s: %w", t.Launcher[0], err)
	}
	return h, nil
}

// Kill kills the target and whatever its launcher started.
func (h *Held) Kill() {
	_ = syscall.Kill(-h.Cmd.Process.Pid, syscall.SIGKILL)
	if h.Pid != h.Cmd.Process.Pid {
		_ = syscall.Kill(h.Pid, syscall.SIGKILL)
	}
}

// Open lets the target exec.
func (h *Held) Open() error {
	defer h.Release.Close()
	_, err := h.Release.Write([]byte{'\n'})
	return err
}

// Abandon kills a target that will not run after all, as it stands, and waits for it.
func (h *Held) Abandon() { h.abandon(0) }

// abandon kills and waits, and returns the first n bytes the launcher said on stderr.
func (h *Held) abandon(n int64) string {
	h.Kill()
	h.Release.Close()
	_ = h.Cmd.Wait()
	h.Stdout.Close()
	said, _ := io.ReadAll(io.LimitReader(h.Stderr, n))
	h.Stderr.Close()
	return string(said)
}

// findGate waits for the process under root that holds our gate pipe (want,
// its /proc name) as fd 3 and already runs the shell gate, and returns its
// pid. It looks when the gate says it runs (a line on running), or, if it
// cannot say, as the launcher goes.
func findGate(root int, want string, running *os.File, limit time.Duration) (int, error) {
	deadline := time.Now().Add(limit)
	if running.SetReadDeadline(deadline) == nil {
		// A line: the gate runs. EOF without one: the launcher closed fd 4
		// or exited; the search below says which.
		_, _ = running.Read(make([]byte, 1))
	}
	for delay := 200 * time.Microsecond; time.Now().Before(deadline); delay = min(2*delay, 5*time.Millisecond) {
		for _, pid := range append([]int{root}, descendants(root)...) { // root: a launcher that execs
			if fd3, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/3", pid)); fd3 != want {
				continue
			}
			if args := cmdline(pid); len(args) > 2 && args[2] == gateScript {
				return pid, nil
			}
		}
		if state(root) == 0 || exited(state(root)) {
			return 0, fmt.Errorf("it exited before running the program")
		}
		time.Sleep(delay)
	}
	return 0, fmt.Errorf("it did not run the program within %s", limit)
}
