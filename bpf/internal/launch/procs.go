package launch

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FindProgram finds the process at or below root whose argv[0] is path:
// the program itself, under a launcher that forks (a sandbox with its own
// pid namespace) and then execs it. 0 when there is none (yet, or any more).
func FindProgram(root int, path string) int {
	for _, pid := range append([]int{root}, descendants(root)...) {
		if args := cmdline(pid); len(args) > 0 && args[0] == path {
			return pid
		}
	}
	return 0
}

// Stopped says whether process pid is stopped (by a signal).
func Stopped(pid int) bool {
	s := state(pid)
	return s == 'T' || s == 't'
}

// exited says whether a process state is a zombie's or a dead one's.
func exited(s byte) bool { return s == 'Z' || s == 'X' }

// state is process pid's state letter from /proc/PID/stat; 0 when it cannot be read.
func state(pid int) byte {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := statFields(stat)
	if len(f) == 0 {
		return 0
	}
	return f[0][0]
}

// statFields are a stat line's fields after the command name (proc(5)),
// state first: "pid (comm) state ...", where comm may hold anything but its
// last ")". None for a line without it.
func statFields(stat []byte) []string {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(stat[i+1:]))
}

// UserTimes is each thread's user time (clock ticks, field 14 of
// /proc/PID/task/TID/stat) of process pid; a thread that went meanwhile is
// left out, and nil when the process cannot be read.
func UserTimes(pid int) map[int]uint64 {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	times := make(map[int]uint64, len(entries))
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue
		}
		if t, ok := utime(stat); ok {
			times[tid] = t
		}
	}
	return times
}

// utime is a stat line's field 14, user time: the 12th after the command name.
func utime(stat []byte) (uint64, bool) {
	f := statFields(stat)
	if len(f) < 12 {
		return 0, false
	}
	t, err := strconv.ParseUint(f[11], 10, 64)
	return t, err == nil
}

// cmdline is process pid's argv; nil when it cannot be read.
func cmdline(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
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
