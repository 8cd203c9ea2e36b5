package target

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// A ReturnSite is where a probe stands in for one of a function's RETs:
// the kernel single-steps a RET (about 15 us a hit here) but emulates a
// CALL, a JMP, a conditional branch, a PUSH or a one-byte NOP (about 1 us).
// So a RET's probe goes, when it can, on the last such instruction before
// it on each way into it: a branch that jumps (or falls) into the straight
// run of code that ends in the RET, or an instruction inside that run. A
// site on a conditional branch stands for the RET only when the branch goes
// that way (Cond): the probe reads the flags, which the branch has not used
// yet, and decides. Between the site and the RET there is nothing but plain
// instructions and calls the caller allowed (the record then comes before
// they run). A RET with no such site is probed itself (Addr == Ret).
type ReturnSite struct {
	Addr uint64 // the instruction probed
	Ret  uint64 // the RET it stands for
	Cond Cond
	Call string // when Addr is a CALL: its callee, which runs after the probe
	Next uint64 // when Addr is a CALL: the address it returns to
}

// Cond is 0 for a site that stands for its RET every time it is hit, or
// CondBranch | the branch's x86 condition code (0-15, e.g. 4 for JE), with
// CondTaken when the RET is the way the branch goes when taken.
type Cond uint16

const (
	CondBranch Cond = 1 << 8
	CondTaken  Cond = 1 << 4
)

// Taken says which way of a conditional branch a Cond stands for.
func (c Cond) Taken() bool { return c&CondTaken != 0 }

// Code is a conditional branch's condition code.
func (c Cond) Code() int { return int(c & 15) }

func (c Cond) String() string {
	if c == 0 {
		return "always"
	}
	way := "not taken"
	if c.Taken() {
		way = "taken"
	}
	return fmt.Sprintf("%s %s", ccNames[c.Code()], way)
}

var ccNames = [16]string{"JO", "JNO", "JB", "JAE", "JE", "JNE", "JBE", "JA", "JS", "JNS", "JP", "JNP", "JL", "JGE", "JLE", "JG"}

// ccs numbers the conditional branches by their x86 condition code.
var ccs = map[x86asm.Op]int{
	x86asm.JO: 0, x86asm.JNO: 1, x86asm.JB: 2, x86asm.JAE: 3, x86asm.JE: 4, x86asm.JNE: 5, x86asm.JBE: 6, x86asm.JA: 7,
	x86asm.JS: 8, x86asm.JNS: 9, x86asm.JP: 10, x86asm.JNP: 11, x86asm.JL: 12, x86asm.JGE: 13, x86asm.JLE: 14, x86asm.JG: 15,
}

// ccOf is the condition code of a conditional branch (-1 for anything else).
func ccOf(op x86asm.Op) int {
	if cc, ok := ccs[op]; ok {
		return cc
	}
	return -1
}

// maxSitesPerRet bounds how many ways into one RET are probed instead of it.
const maxSitesPerRet = 8

// code is a function decoded, with the edges between its straight runs of code.
type code struct {
	insts  []x86asm.Inst
	addrs  []uint64
	index  map[uint64]int // address -> instruction
	leader []bool         // starts a run: the entry, a jump's target, or what follows a jump or a RET
	preds  map[int][]edge // run start -> the ways into it
	opaque bool           // an indirect jump: the runs cannot be known
}

// edge is a way into a run: a jump to it (taken), or falling into it from the instruction before.
type edge struct {
	from  int // the instruction it comes from
	taken bool
}

func (b *Binary) decode(name string) (*code, Func, error) {
	fn, ok := b.Func(name)
	if !ok {
		return nil, fn, fmt.Errorf("%s: no function %s in the symbol table (inlined in %s?)", b.Path, name, b.GoVersion)
	}
	raw, err := b.readAt(fn.Entry, fn.Size)
	if err != nil {
		return nil, fn, err
	}
	c := &code{index: map[uint64]int{}, preds: map[int][]edge{}}
	for off := 0; off < len(raw); {
		inst, err := x86asm.Decode(raw[off:], 64)
		if err != nil {
			return nil, fn, fmt.Errorf("%s: cannot decode %s at +%#x: %v", b.Path, name, off, err)
		}
		c.index[fn.Entry+uint64(off)] = len(c.insts)
		c.insts = append(c.insts, inst)
		c.addrs = append(c.addrs, fn.Entry+uint64(off))
		off += inst.Len
	}
	c.leader = make([]bool, len(c.insts))
	if len(c.insts) > 0 {
		c.leader[0] = true
	}
	for i, inst := range c.insts {
		jump := inst.Op == x86asm.JMP || ccOf(inst.Op) >= 0
		if !jump && inst.Op != x86asm.RET {
			continue
		}
		if i+1 < len(c.insts) {
			c.leader[i+1] = true
		}
		if !jump {
			continue
		}
		t, ok := c.target(i)
		if !ok {
			if _, rel := inst.Args[0].(x86asm.Rel); !rel {
				c.opaque = true // JMP through a register or memory: a jump table
			}
			continue
		}
		c.leader[t] = true
		c.preds[t] = append(c.preds[t], edge{from: i, taken: true})
	}
	for i := 1; i < len(c.insts); i++ {
		prev := c.insts[i-1].Op
		if c.leader[i] && prev != x86asm.JMP && prev != x86asm.RET {
			c.preds[i] = append(c.preds[i], edge{from: i - 1})
		}
	}
	return c, fn, nil
}

// target is the instruction a direct jump at i goes to, if inside the function.
func (c *code) target(i int) (int, bool) {
	rel, ok := c.insts[i].Args[0].(x86asm.Rel)
	if !ok {
		return 0, false
	}
	t, ok := c.index[c.addrs[i]+uint64(c.insts[i].Len)+uint64(int64(rel))]
	return t, ok
}

// callee names the function a direct CALL at i goes to ("" if indirect or unknown).
func (b *Binary) callee(c *code, i int) string {
	rel, ok := c.insts[i].Args[0].(x86asm.Rel)
	if !ok {
		return ""
	}
	return b.funcAt(c.addrs[i] + uint64(c.insts[i].Len) + uint64(int64(rel)))
}

// funcAt names the function that starts at addr.
func (b *Binary) funcAt(addr uint64) string {
	if b.entries == nil {
		b.entries = make(map[uint64]string, len(b.funcs))
		for name, s := range b.funcs {
			b.entries[s.Value] = name
		}
	}
	return b.entries[addr]
}

// emulated says whether the kernel emulates inst at a uprobe instead of
// single-stepping it (arch/x86/kernel/uprobes.c: relative CALL, JMP and
// conditional jumps, PUSH of a register, and NOP; multi-byte NOPs only in
// recent kernels, so they are not counted on).
func emulated(inst x86asm.Inst) bool {
	switch {
	case inst.Op == x86asm.CALL || inst.Op == x86asm.JMP || ccOf(inst.Op) >= 0:
		_, rel := inst.Args[0].(x86asm.Rel)
		return rel
	case inst.Op == x86asm.PUSH:
		r, ok := inst.Args[0].(x86asm.Reg)
		return ok && r >= x86asm.RAX && r <= x86asm.R15
	case inst.Op == x86asm.NOP:
		return inst.Len == 1
	}
	return false
}

// ReturnSites finds, for each RET of the function named name, the sites
// that stand in for it (see ReturnSite). allowed are the callees that may
// come between a site and its RET, running after the record: each caller
// says why they do not matter to what its probe reads. A function with a
// jump table (an indirect JMP) keeps its RETs: its runs of code are not
// known.
func (b *Binary) ReturnSites(name string, allowed ...string) ([]ReturnSite, error) {
	c, _, err := b.decode(name)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var out []ReturnSite
	for i, inst := range c.insts {
		if inst.Op != x86asm.RET {
			continue
		}
		ret := c.addrs[i]
		var sites []ReturnSite
		found := !c.opaque && b.sitesBefore(c, i-1, ret, ok, &sites)
		if !found || len(sites) > maxSitesPerRet {
			sites = []ReturnSite{{Addr: ret, Ret: ret}}
		}
		out = append(out, sites...)
	}
	return dedupe(out), nil
}

// sitesBefore walks back from instruction j (the one before the place the
// RET is reached from) to the nearest emulated instruction, or to the start
// of j's run and then along every way into it, adding the sites found. It
// reports false when some way into the RET has no site.
func (b *Binary) sitesBefore(c *code, j int, ret uint64, allowed map[string]bool, sites *[]ReturnSite) bool {
	if len(*sites) > maxSitesPerRet {
		return false
	}
	for ; j >= 0; j-- {
		inst := c.insts[j]
		switch {
		case inst.Op == x86asm.CALL:
			name := b.callee(c, j)
			if !allowed[name] {
				return false // an indirect call, or one that may make records this one must follow
			}
			next := c.addrs[j] + uint64(inst.Len)
			*sites = append(*sites, ReturnSite{Addr: c.addrs[j], Ret: ret, Call: name, Next: next})
			return true
		case emulated(inst):
			*sites = append(*sites, ReturnSite{Addr: c.addrs[j], Ret: ret})
			return true
		}
		if c.leader[j] {
			break
		}
	}
	if j <= 0 {
		return false // back at the entry with no site: the entry's PUSH would have been one
	}
	for _, e := range c.preds[j] {
		from := c.insts[e.from]
		switch cc := ccOf(from.Op); {
		case from.Op == x86asm.JMP:
			*sites = append(*sites, ReturnSite{Addr: c.addrs[e.from], Ret: ret})
		case cc >= 0:
			if t, ok := c.target(e.from); ok && t == e.from+1 {
				// Both ways lead here.
				*sites = append(*sites, ReturnSite{Addr: c.addrs[e.from], Ret: ret})
				continue
			}
			cond := CondBranch | Cond(cc)
			if e.taken {
				cond |= CondTaken
			}
			*sites = append(*sites, ReturnSite{Addr: c.addrs[e.from], Ret: ret, Cond: cond})
		default:
			if !b.sitesBefore(c, e.from, ret, allowed, sites) {
				return false
			}
		}
	}
	return len(c.preds[j]) > 0
}

// dedupe drops repeated sites, and makes one site of a branch whose two
// ways both lead to the same RET (found once per way).
func dedupe(sites []ReturnSite) []ReturnSite {
	type key struct{ addr, ret uint64 }
	taken, notTaken := map[key]bool{}, map[key]bool{}
	for _, s := range sites {
		if s.Cond != 0 {
			k := key{s.Addr, s.Ret}
			taken[k] = taken[k] || s.Cond.Taken()
			notTaken[k] = notTaken[k] || !s.Cond.Taken()
		}
	}
	seen := map[ReturnSite]bool{}
	out := sites[:0]
	for _, s := range sites {
		if k := (key{s.Addr, s.Ret}); s.Cond != 0 && taken[k] && notTaken[k] {
			s.Cond = 0
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Code reads n bytes of the program's code at addr.
func (b *Binary) Code(addr, n uint64) ([]byte, error) { return b.readAt(addr, n) }
