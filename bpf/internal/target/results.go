package target

import "golang.org/x/arch/x86/x86asm"

// A ResultSite is a ReturnSite of a function whose result (RAX at the RET)
// its probe reads: where that value is when the site is hit. Between a site
// and its RET the code is straight, so the last instruction there that
// writes RAX says it: none (RAX holds it already), a load from the frame
// (`MOVQ off(SP), AX`: the value is at [RSP+Off] at the site, a local that
// no callee writes), or a constant (`LEAQ runtime.zerobase(SB), AX`: no
// object). A RET for whose sites this cannot be told keeps its own probe.
type ResultSite struct {
	ReturnSite
	From ResultFrom
	Off  int64 // ResultOnStack: the value is at [RSP+Off] at the site
}

// ResultFrom says where a result is at its site.
type ResultFrom uint8

const (
	ResultInAX    ResultFrom = iota // RAX
	ResultOnStack                   // [RSP+Off]
	ResultNone                      // a constant, not an object: nothing to say
)

// maxStraight bounds the walk from a site to its RET.
const maxStraight = 64

// ResultSites finds the return sites of the function named name (ReturnSites,
// with the callees in allowed between a site and its RET) and where its
// result is at each. A site at a call to one of the allocators (Allocators)
// says no result: the callee's own probes say it.
func (b *Binary) ResultSites(name string, allowed ...string) ([]ResultSite, error) {
	sites, err := b.ReturnSites(name, allowed...)
	if err != nil {
		return nil, err
	}
	c, _, err := b.decode(name)
	if err != nil {
		return nil, err
	}
	var out []ResultSite
	for i := 0; i < len(sites); {
		j := i
		for j < len(sites) && sites[j].Ret == sites[i].Ret {
			j++
		}
		group, ok := make([]ResultSite, 0, j-i), true
		for _, s := range sites[i:j] {
			r, known := resultAt(c, s)
			ok = ok && known
			group = append(group, r)
		}
		if !ok {
			ret := sites[i].Ret
			group = []ResultSite{{ReturnSite: ReturnSite{Addr: ret, Ret: ret}}}
		}
		out = append(out, group...)
		i = j
	}
	return out, nil
}

// resultAt walks the straight code from site s to its RET.
func resultAt(c *code, s ReturnSite) (ResultSite, bool) {
	r := ResultSite{ReturnSite: s}
	if s.Addr == s.Ret {
		return r, true
	}
	if s.Call != "" && allocators.MatchString(s.Call) {
		// Another allocator makes the result, and its own probes say it.
		r.From = ResultNone
		return r, true
	}
	i, ok := c.index[s.Addr]
	if !ok {
		return r, false
	}
	inst := c.insts[i]
	next := i + 1
	if inst.Op == x86asm.JMP || ccOf(inst.Op) >= 0 && s.Cond.Taken() {
		if next, ok = c.target(i); !ok {
			return r, false
		}
	} else if ccOf(inst.Op) < 0 {
		next = i // a CALL, PUSH or NOP runs after the probe: walk it too
	}
	w := straightWalk{from: ResultInAX, known: true}
	for j, n := next, 0; n < maxStraight && j < len(c.insts); j, n = j+1, n+1 {
		in := c.insts[j]
		if in.Op == x86asm.RET {
			r.From, r.Off = w.from, w.off
			return r, w.known
		}
		if in.Op == x86asm.JMP {
			t, ok := c.target(j)
			if !ok {
				return r, false
			}
			j = t - 1
			continue
		}
		if ccOf(in.Op) >= 0 || !w.step(in) {
			return r, false
		}
	}
	return r, false
}

// straightWalk follows RSP and the last write to RAX along straight code.
type straightWalk struct {
	delta int64 // RSP now less RSP at the site
	from  ResultFrom
	off   int64
	known bool // false: RAX holds what a call returned, or something else not followed
}

func isSP(a x86asm.Arg) bool { return a == x86asm.RSP }

func isAX(a x86asm.Arg) bool {
	return a == x86asm.RAX || a == x86asm.EAX || a == x86asm.AX || a == x86asm.AL
}

// step takes one instruction; false when what it does to RAX or RSP is not followed.
func (w *straightWalk) step(in x86asm.Inst) bool {
	switch in.Op {
	case x86asm.CALL:
		// It returns its own result in RAX; the frame's locals it leaves alone.
		w.from, w.known = ResultNone, false
		return true
	case x86asm.PUSH:
		w.delta -= 8
		return true
	case x86asm.POP:
		w.delta += 8
		if isAX(in.Args[0]) {
			w.from, w.known = ResultNone, false
		}
		return !isSP(in.Args[0])
	case x86asm.ADD, x86asm.SUB:
		if isSP(in.Args[0]) {
			imm, ok := in.Args[1].(x86asm.Imm)
			if !ok {
				return false
			}
			if in.Op == x86asm.ADD {
				w.delta += int64(imm)
			} else {
				w.delta -= int64(imm)
			}
			return true
		}
	}
	if isSP(in.Args[0]) {
		return false // RSP set otherwise: not followed
	}
	if !isAX(in.Args[0]) || in.Op == x86asm.CMP || in.Op == x86asm.TEST {
		return true
	}
	return w.writeAX(in)
}

// writeAX takes an instruction that writes RAX.
func (w *straightWalk) writeAX(in x86asm.Inst) bool {
	switch m, mem := in.Args[1].(x86asm.Mem); {
	case in.Op == x86asm.MOV && mem && m.Base == x86asm.RSP && m.Index == 0 && m.Segment == 0 && in.Args[0] == x86asm.RAX:
		w.from, w.off, w.known = ResultOnStack, w.delta+m.Disp, true
	case in.Op == x86asm.LEA && mem && (m.Base == x86asm.RIP || m.Base == 0):
		w.from, w.known = ResultNone, true
	case in.Op == x86asm.XOR && in.Args[1] == in.Args[0]:
		w.from, w.known = ResultNone, true
	default:
		w.from, w.known = ResultNone, false
	}
	return true
}
