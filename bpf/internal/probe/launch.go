package probe

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A launcher is a command line that the target is run under, such as the
// bridge's sandbox (bubblewrap, dropping to an unprivileged user). The probe
// keeps its own privilege; only the program inside the launcher runs with
// none. The launcher's last act must be to exec the command it is given: the
// probe appends a tiny /bin/sh gate that waits on fd 3 and then execs the
// target, finds that gate among the launcher's descendants (a sandbox with
// its own pid namespace forks, so its pid is not the launcher's), attaches to
// its pid and opens the gate. The gate first says on fd 4 that it runs, so
// that the probe looks for it then rather than polling while the sandbox
// starts (quiet if a launcher did not pass fd 4 on: the probe then polls).
const gateScript = `{ echo >&4; } 2>/dev/null; exec 4>&-; read -r _ <&3 || exit 127; exec 3<&-; exec "$0" "$@"`

// held is a started, not yet released target.
type held struct {
	cmd     *exec.Cmd
	pid     int // the target's pid once it execs (the gate's pid)
	release *os.File
}

// startHeld starts the target, stopped at its gate, with stdout and stderr piped.
func startHeld(opts Options, binPath string, env []string) (*held, *os.File, *os.File, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	gate, release, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	defer gate.Close()
	var cmd *exec.Cmd
	if len(opts.Launcher) == 0 {
		cmd = exec.Command(self, append([]string{ExecHelper, binPath}, opts.Args...)...)
	} else {
		inside := opts.InsidePath
		if inside == "" {
			inside = binPath
		}
		argv := append(append([]string{}, opts.Launcher[1:]...), "/bin/sh", "-c", gateScript, inside)
		cmd = exec.Command(opts.Launcher[0], append(argv, opts.Args...)...)
	}
	cmd.Env = env
	cmd.Dir = opts.Dir
	cmd.ExtraFiles = []*os.File{gate}
	var running, runningW *os.File // the gate's "I run" (fd 4), with a launcher
	if len(opts.Launcher) > 0 {
		if running, runningW, err = os.Pipe(); err != nil {
			release.Close()
			return nil, nil, nil, err
		}
		defer running.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, runningW)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		release.Close()
		return nil, nil, nil, err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		release.Close()
		return nil, nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	err = cmd.Start()
	stdoutW.Close()
	stderrW.Close()
	if runningW != nil {
		runningW.Close()
	}
	if err != nil {
		release.Close()
		return nil, nil, nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	h := &held{cmd: cmd, pid: cmd.Process.Pid, release: release}
	if len(opts.Launcher) > 0 {
		pid, err := findGate(cmd.Process.Pid, gate, running, 10*time.Second)
		if err != nil {
			h.kill()
			release.Close()
			_ = cmd.Wait()
			stdout.Close()
			said, _ := io.ReadAll(io.LimitReader(stderr, 512))
			stderr.Close()
			if line, _, _ := strings.Cut(strings.TrimSpace(string(said)), "\n"); line != "" {
				err = fmt.Errorf("%w: %s", err, line)
			}
			return nil, nil, nil, fmt.Errorf("launcher %s: %w", opts.Launcher[0], err)
		}
		h.pid = pid
	}
	return h, stdout, stderr, nil
}

func (h *held) kill() {
	_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
	if h.pid != h.cmd.Process.Pid {
		_ = syscall.Kill(h.pid, syscall.SIGKILL)
	}
}

// open lets the target exec.
func (h *held) open() error {
	defer h.release.Close()
	_, err := h.release.Write([]byte{'\n'})
	return err
}

// findGate waits for the process under root that holds our gate pipe as fd 3
// and already runs the shell gate, and returns its pid. It looks when the
// gate says it runs (a line on running), or, if it cannot say, as the
// launcher goes.
func findGate(root int, gate, running *os.File, limit time.Duration) (int, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", gate.Fd()))
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(limit)
	if running != nil && running.SetReadDeadline(deadline) == nil {
		// A line: the gate runs. EOF without one: the launcher closed fd 4
		// or exited; the search below says which.
		_, _ = running.Read(make([]byte, 1))
	}
	for delay := 200 * time.Microsecond; time.Now().Before(deadline); delay = min(2*delay, 5*time.Millisecond) {
		for _, pid := range append([]int{root}, descendants(root)...) { // root: a launcher that execs
			if fd3, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/3", pid)); fd3 != want {
				continue
			}
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if args := bytes.Split(cmdline, []byte{0}); len(args) > 2 && string(args[2]) == gateScript {
				return pid, nil
			}
		}
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", root)); err != nil || exited(stat) {
			return 0, fmt.Errorf("it exited before running the program")
		}
		time.Sleep(delay)
	}
	return 0, fmt.Errorf("it did not run the program within %s", limit)
}

// exited says whether /proc/PID/stat shows a zombie (state after the command name).
func exited(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}

// descendants lists the pids below root, from /proc/PID/task/TID/children.
func descendants(root int) []int {
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, t := range tasks {
			data, _ := os.ReadFile(t)
			for _, f := range strings.Fields(string(data)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}

// sandboxEnv is the whole environment a launched target gets: nothing of the
// probe's own (which may hold the bridge's secrets).
func sandboxEnv(procs int) []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=/tmp",
		"LANG=C.UTF-8",
		"GOMAXPROCS=" + strconv.Itoa(procs),
	}
}
