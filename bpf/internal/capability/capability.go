// Package capability answers one question before anything is attached: can
// this process load eBPF programs and uprobes here, and if not, why not, in
// words an operator can act on. The bridge's /api/info and `auto` backend
// choice rest on this answer; CI uses it to refuse to skip eBPF tests.
//
// The check is real, not inferred from the uid: it loads a tiny program of
// the type uprobes use, because containers, seccomp, lockdown and
// unprivileged_bpf_disabled all make "am I root?" the wrong question.
package capability

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Check is one thing that was verified, with what was found.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is the answer: Available, or Why not, and the checks behind it.
type Report struct {
	Available bool    `json:"available"`
	Why       string  `json:"why,omitempty"`
	Kernel    string  `json:"kernel"`
	Checks    []Check `json:"checks"`
}

// Linux capability numbers (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

const uprobePMU = "/sys/bus/event_source/devices/uprobe/type"

// Probe runs the checks in order and stops at the first that fails.
func Probe() Report {
	r := Report{Kernel: kernelRelease()}
	fail := func(name, detail, why string) Report {
		r.Checks = append(r.Checks, Check{Name: name, OK: false, Detail: detail})
		r.Why = why
		return r
	}
	pass := func(name, detail string) {
		r.Checks = append(r.Checks, Check{Name: name, OK: true, Detail: detail})
	}

	caps, err := effectiveCaps()
	if err != nil {
		return fail("capabilities", err.Error(), "cannot read this process's capabilities: "+err.Error())
	}
	hasBPF := caps&(1<<capBPF) != 0 && caps&(1<<capPerfmon) != 0
	if !hasBPF && caps&(1<<capSysAdmin) == 0 {
		return fail("capabilities", fmt.Sprintf("effective set %#x, uid %d", caps, os.Geteuid()),
			"no privilege for eBPF: run the probe as root, or grant it CAP_BPF and CAP_PERFMON "+
				"(e.g. setcap cap_bpf,cap_perfmon+ep bpf/bin/slowmo-probe); without them use the trace backend")
	}
	pass("capabilities", fmt.Sprintf("effective set %#x", caps))

	if _, err := os.Stat(uprobePMU); err != nil {
		return fail("uprobes", uprobePMU+" is missing",
			"this kernel has no uprobe support (CONFIG_UPROBE_EVENTS): use the trace backend")
	}
	pass("uprobes", uprobePMU)

	if err := rlimit.RemoveMemlock(); err != nil {
		return fail("memlock", err.Error(), "cannot lift the locked-memory limit for BPF maps: "+err.Error())
	}
	pass("memlock", "limit lifted or not needed")

	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "slowmo_check",
		Type:         ebpf.Kprobe, // uprobes are kprobe-type programs
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		why := "loading a BPF program failed: " + err.Error()
		if errors.Is(err, unix.EPERM) {
			why += " (blocked by seccomp, lockdown or a container's policy: run the bridge's probe privileged, or use the trace backend)"
		}
		return fail("load", err.Error(), why)
	}
	prog.Close()
	pass("load", "a kprobe-type program loaded")

	// Informational: uprobes on Go binaries do not need kernel BTF.
	_, err = os.Stat("/sys/kernel/btf/vmlinux")
	r.Checks = append(r.Checks, Check{Name: "btf", OK: err == nil, Detail: "/sys/kernel/btf/vmlinux (not required)"})

	r.Available = true
	return r
}

// effectiveCaps reads CapEff from /proc/self/status.
func effectiveCaps() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff line in /proc/self/status")
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}
