package capability_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"go-slowmo.dev/bpf/internal/capability"
	"go-slowmo.dev/bpf/internal/ebpftest"
)

// goBuild compiles a one-file Go program into a directory anyone can read.
func goBuild(t *testing.T, pkg string, source string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	args := []string{"build", "-o", bin}
	if source != "" {
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(source), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(dir, "main.go"))
	} else {
		args = append(args, pkg)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// counter is a uprobe program that counts its hits in slot 0 of an array map.
func counter(t *testing.T) (*ebpf.Program, *ebpf.Map) {
	t.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.Kprobe,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return prog, m
}

// The foundation the probe engine stands on: a uprobe on a function of a
// freshly built Go binary fires once per call, in this kernel, from this user.
func TestUprobeCountsEveryCallOfAGoFunction(t *testing.T) {
	ebpftest.Require(t)
	bin := goBuild(t, "", `package main

//go:noinline
func tick(i int) int { return i * 2 }

func main() {
	s := 0
	for i := 0; i < 7; i++ {
		s += tick(i)
	}
	println(s)
}
`)
	prog, m := counter(t)
	ex, err := link.OpenExecutable(bin)
	if err != nil {
		t.Fatal(err)
	}
	up, err := ex.Uprobe("main.tick", prog, nil)
	if err != nil {
		t.Fatalf("attach uprobe to main.tick: %v", err)
	}
	defer up.Close()

	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	var raw []byte
	if err := m.Lookup(uint32(0), &raw); err != nil {
		t.Fatal(err)
	}
	if got := binary.NativeEndian.Uint64(raw); got != 7 {
		t.Fatalf("uprobe on main.tick fired %d times, want 7", got)
	}
}

func TestProbeSaysAvailableWhenItCanLoad(t *testing.T) {
	ebpftest.Require(t)
	r := capability.Probe()
	if !r.Available || r.Why != "" {
		t.Fatalf("Require passed but Probe says %+v", r)
	}
}

// A process without privilege learns why, and what to do, instead of a raw EPERM.
func TestCheckWithoutPrivilegeSaysWhy(t *testing.T) {
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Fatalf("setpriv (util-linux) is needed to drop privilege: %v", err)
		}
		bin := goBuild(t, "go-slowmo.dev/bpf/cmd/slowmo-probe", "")
		cmd = exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			"--inh-caps=-all", "--bounding-set=-all", "--", bin, "check")
	} else {
		r := capability.Probe()
		if r.Available {
			ebpftest.Missing(t, "this unprivileged user was granted eBPF capabilities, so it cannot see the refusal")
		}
		assertWhy(t, r)
		return
	}
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("check as nobody: want exit 3, got %v\n%s", err, out)
	}
	var r capability.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("check printed no JSON report: %v\n%s", err, out)
	}
	assertWhy(t, r)
}

func assertWhy(t *testing.T, r capability.Report) {
	t.Helper()
	if r.Available {
		t.Fatal("unprivileged process reported eBPF available")
	}
	for _, want := range []string{"CAP_BPF", "trace backend"} {
		if !strings.Contains(r.Why, want) {
			t.Errorf("why %q does not mention %q", r.Why, want)
		}
	}
	if len(r.Checks) == 0 || r.Checks[len(r.Checks)-1].OK {
		t.Errorf("the failing check is not the last one reported: %+v", r.Checks)
	}
}
