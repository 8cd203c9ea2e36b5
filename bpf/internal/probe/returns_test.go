package probe

import (
	"os"
	"testing"

	"github.com/cilium/ebpf/link"
	"golang.org/x/arch/x86/x86asm"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/target"
)

// returnSiteFunctions are the return probes that sit at emulated sites,
// and what each must show: every RET at such sites (none left
// single-stepped), folded into another probe, or some RETs at sites.
var returnSiteFunctions = map[string]string{
	"exitsyscall_ret": "sites",
	"stopm_ret":       "fold",
	"injectglist_ret": "some",
}

// TestReturnProbesAreEmulated checks where the return probes of exitsyscall,
// injectglist and stopm go on every supported Go: on instructions the
// kernel emulates (a branch, a CALL, a one-byte NOP: ~1 us a hit), not on
// RETs, which it single-steps (~15 us). What may stay on a RET:
// injectglist's return after it starts idle Ps through a closure (a call
// the probe cannot see into), and before Go 1.23 its return straight after
// runqputbatch; rare (sysmon's netpoll).
func TestReturnProbesAreEmulated(t *testing.T) {
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			b, err := target.Open(buildWith(t, version, "returns"))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			for _, s := range sites {
				want, ok := returnSiteFunctions[s.program]
				if !ok {
					continue
				}
				put, err := resolve(b, s, siteOptions{cookies: true})
				if err != nil {
					t.Fatalf("%s: %v", s.program, err)
				}
				if want == "fold" {
					if put.foldAt == 0 || len(put.at) != 0 {
						t.Errorf("%s: not folded into %s's probe; sites %#x", s.program, s.fold.callee, put.at)
					}
					continue
				}
				rets := 0
				for _, addr := range put.at {
					inst := decodeAt(t, b, addr)
					if inst.Op == x86asm.RET {
						rets++
						continue
					}
					if !emulatedHere(inst) {
						t.Errorf("%s: site %#x is %v, which the kernel single-steps", s.program, addr, inst)
					}
				}
				all, err := b.Sites(s.function)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case len(put.at) == 0:
					t.Errorf("%s: no sites", s.program)
				case want == "sites" && rets > 0:
					t.Errorf("%s: %d of %d RETs still probed themselves", s.program, rets, len(all.Rets))
				case want == "some" && rets >= len(all.Rets):
					t.Errorf("%s: every RET (%d) still probed itself", s.program, rets)
				}
			}
		})
	}
}

func decodeAt(t *testing.T, b *target.Binary, addr uint64) x86asm.Inst {
	t.Helper()
	code, err := b.Code(addr, 16)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := x86asm.Decode(code, 64)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// emulatedHere is what the kernel emulates at a uprobe, checked on the
// bytes: a relative CALL, JMP or Jcc, a one-byte NOP, a PUSH of a register.
func emulatedHere(inst x86asm.Inst) bool {
	switch inst.Op {
	case x86asm.CALL, x86asm.JMP, x86asm.JE, x86asm.JNE, x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE,
		x86asm.JG, x86asm.JGE, x86asm.JL, x86asm.JLE, x86asm.JS, x86asm.JNS, x86asm.JO, x86asm.JNO, x86asm.JP, x86asm.JNP:
		_, rel := inst.Args[0].(x86asm.Rel)
		return rel
	case x86asm.NOP:
		return inst.Len == 1
	case x86asm.PUSH:
		_, reg := inst.Args[0].(x86asm.Reg)
		return reg
	}
	return false
}

// TestReturnSitesStandForTheirRets runs a program through every way out of
// those functions with a counter on each RET and another on the sites that
// stand in for it (the same returns_here test of the branch the probes
// make): on every supported Go, each RET and its sites must be hit the same
// number of times, so the records made there are the ones the RET made.
func TestReturnSitesStandForTheirRets(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			path := buildWith(t, version, "returns")
			b, err := target.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			probes, err := Load()
			if err != nil {
				t.Fatal(err)
			}
			defer probes.Close()
			if !probes.cookies {
				ebpftest.Missing(t, "needs bpf_get_attach_cookie (Linux 5.15+): without it the conditional return sites are not used")
			}
			ex, err := link.OpenExecutable(path)
			if err != nil {
				t.Fatal(err)
			}
			attach := func(fn target.Func, at, cookies []uint64) {
				if err := probes.attachAt(ex, "count_return", fn, at, cookies); err != nil {
					t.Fatal(err)
				}
			}
			type pair struct {
				program string
				ret     uint64
			}
			var pairs []pair // pair i: the RET counts in slot 2i, its sites in 2i+1
			for _, s := range sites {
				if _, ok := returnSiteFunctions[s.program]; !ok {
					continue
				}
				allow := s.allow
				if s.fold != nil {
					allow = append(allow[:len(allow):len(allow)], s.fold.callee)
				}
				rs, err := b.ReturnSites(s.function, allow...)
				if err != nil {
					t.Fatal(err)
				}
				fn, _ := b.Func(s.function)
				for _, group := range byRet(rs) {
					if group[0].Addr == group[0].Ret {
						continue // the RET itself
					}
					slot := 2 * len(pairs)
					attach(fn, []uint64{group[0].Ret}, []uint64{returnCookie(slot, 0)})
					var at, cookies []uint64
					for _, site := range group {
						at = append(at, site.Addr)
						cookies = append(cookies, returnCookie(slot+1, site.Cond))
					}
					attach(fn, at, cookies)
					pairs = append(pairs, pair{s.program, group[0].Ret - fn.Entry})
				}
			}
			if _, _, err := probes.runFollowed(path, nil, append(os.Environ(), "GOMAXPROCS=2")); err != nil {
				t.Fatal(err)
			}
			hits := probes.coll.Maps["return_hits"]
			hit := map[string]uint64{}
			for i, p := range pairs {
				var atRet, atSites uint64
				if err := hits.Lookup(uint32(2*i), &atRet); err != nil {
					t.Fatal(err)
				}
				if err := hits.Lookup(uint32(2*i+1), &atSites); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s RET +%#x: %d hits, its sites %d", p.program, p.ret, atRet, atSites)
				if atRet != atSites {
					t.Errorf("%s: the RET at +%#x was hit %d times, the sites that stand in for it %d", p.program, p.ret, atRet, atSites)
				}
				hit[p.program] += atRet
			}
			for program := range returnSiteFunctions {
				if hit[program] == 0 {
					t.Errorf("%s: no RET with sites was hit: the program does not exercise it", program)
				}
			}
		})
	}
}
