package target

import (
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"go-slowmo.dev/bpf"
)

// The functions whose returns the probes place with ReturnSites, with the
// callees each allows between a site and its RET (as loader.go does).
var returnFunctions = map[string][]string{
	"runtime.exitsyscall": {"runtime.mcall"},
	"runtime.runqputslow": {"runtime.unlock2"},
	"runtime.injectglist": {"runtime.unlock2", "runtime.wakep"},
	"runtime.stopm":       {"runtime.acquirep"},
}

// TestReturnSitesLeadToTheirRet checks what ReturnSites finds by walking
// the other way, on every supported Go: from each site, the way it stands
// for (a branch taken or not, or on past a CALL or NOP) runs through plain
// instructions and allowed calls only, with no branch, to its own RET; and
// every RET has sites, or is its own.
func TestReturnSitesLeadToTheirRet(t *testing.T) {
	for _, version := range bpf.GoVersions() {
		t.Run(version, func(t *testing.T) {
			b, err := Open(build(t, version, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			for name, allowed := range returnFunctions {
				checkReturnSites(t, b, name, allowed)
			}
		})
	}
}

func checkReturnSites(t *testing.T, b *Binary, name string, allowed []string) {
	t.Helper()
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	c, fn, err := b.decode(name)
	if err != nil {
		t.Fatal(err)
	}
	sites, err := b.ReturnSites(name, allowed...)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[uint64]bool{}
	moved := 0
	for _, s := range sites {
		covered[s.Ret] = true
		i, found := c.index[s.Addr]
		if !found || c.insts[c.index[s.Ret]].Op != x86asm.RET {
			t.Fatalf("%s: site +%#x for +%#x is not an instruction of it, or that is no RET", name, s.Addr-fn.Entry, s.Ret-fn.Entry)
		}
		if s.Addr == s.Ret {
			continue
		}
		moved++
		inst := c.insts[i]
		if !emulated(inst) {
			t.Errorf("%s: site +%#x (%v) is single-stepped", name, s.Addr-fn.Entry, inst)
		}
		// Where the way the site stands for goes next.
		next := i + 1
		switch {
		case s.Cond != 0:
			if ccOf(inst.Op) != s.Cond.Code() {
				t.Errorf("%s: site +%#x is %v, not a %s", name, s.Addr-fn.Entry, inst, s.Cond)
				continue
			}
			if s.Cond.Taken() {
				next, _ = c.target(i)
			}
		case inst.Op == x86asm.JMP:
			next, _ = c.target(i)
		case ccOf(inst.Op) >= 0:
			// Both ways lead to the RET.
			if to, _ := c.target(i); !leadsTo(b, c, to, s.Ret, ok) {
				t.Errorf("%s: site +%#x (%v), taken, does not lead to +%#x", name, s.Addr-fn.Entry, inst, s.Ret-fn.Entry)
			}
		case inst.Op == x86asm.CALL:
			if callee := b.callee(c, i); !ok[callee] || s.Call != callee {
				t.Errorf("%s: site +%#x calls %q, which may not come between it and its RET", name, s.Addr-fn.Entry, callee)
			}
		}
		if !leadsTo(b, c, next, s.Ret, ok) {
			t.Errorf("%s: site +%#x (%v, %s) does not lead to +%#x", name, s.Addr-fn.Entry, inst, s.Cond, s.Ret-fn.Entry)
		}
	}
	for i, inst := range c.insts {
		if inst.Op == x86asm.RET && !covered[c.addrs[i]] {
			t.Errorf("%s: RET +%#x has no site", name, c.addrs[i]-fn.Entry)
		}
	}
	if moved == 0 {
		t.Errorf("%s: every RET is probed itself", name)
	}
}

// leadsTo says whether the code from instruction i reaches the RET at ret
// through plain instructions and allowed calls only.
func leadsTo(b *Binary, c *code, i int, ret uint64, allowed map[string]bool) bool {
	for ; i < len(c.insts); i++ {
		inst := c.insts[i]
		switch {
		case inst.Op == x86asm.RET:
			return c.addrs[i] == ret
		case inst.Op == x86asm.CALL:
			if !allowed[b.callee(c, i)] {
				return false
			}
		case inst.Op == x86asm.JMP || ccOf(inst.Op) >= 0:
			return false
		}
	}
	return false
}
