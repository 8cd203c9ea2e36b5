package target

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// A Write is a place where a function stores a constant in a package
// variable: a store the compiler inlined (atomic.Store is an XCHG), or a
// call to the variable's setter where the setter was not inlined.
type Write struct {
	Func  Func   // the function it is in: the one named, or one of its closures
	Addr  uint64 // the store, or the CALL to the setter
	Site  uint64 // where a probe sees it about to happen (see Writes)
	Value int64  // the constant stored
}

// siteWindow bounds how far before a store its probe site may be.
const siteWindow = 4

// Writes finds where the function named name, or one of its closures
// (name.funcN: a runtime function runs much of its work through
// systemstack(func() {...})), stores a constant in the variable named
// variable: a MOV or XCHG to it, directly or through a register a LEA of
// it has just loaded, or a call to setter (its argument in AX) when the
// setter has a symbol. The constant is read from the code: the MOV of an
// immediate (or the XOR) that last set the stored register in the same
// run of code; a store of something else is an error, since a probe could
// not say what it stores.
//
// Site is the first of the few instructions leading straight into the
// store (no call or branch among them, no jump into them) when one of them
// is emulated by the kernel (the one-byte NOP that marks where the setter
// was inlined): a probe there costs ~1 us where the store itself is
// single-stepped (~15 us), and what comes between only sets up registers.
// Otherwise Site is Addr.
func (b *Binary) Writes(name, variable, setter string) ([]Write, error) {
	addr, ok := b.Var(variable)
	if !ok {
		return nil, fmt.Errorf("%s: no variable %s in the symbol table", b.Path, variable)
	}
	setFn, hasSetter := b.Func(setter)
	var out []Write
	for _, fn := range b.withClosures(name) {
		c, _, err := b.decode(fn)
		if err != nil {
			return nil, err
		}
		ws, err := c.writes(addr, setFn, hasSetter)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", b.Path, fn, err)
		}
		f, _ := b.Func(fn)
		for i := range ws {
			ws[i].Func = f
		}
		out = append(out, ws...)
	}
	return out, nil
}

// withClosures is name and the closures defined in it, by name.
func (b *Binary) withClosures(name string) []string {
	out := []string{name}
	for fn := range b.funcs {
		if rest, ok := strings.CutPrefix(fn, name+".func"); ok && rest != "" {
			out = append(out, fn)
		}
	}
	slices.Sort(out[1:])
	return out
}

// writes finds the stores of constants at addr in c (see Writes).
func (c *code) writes(addr uint64, setter Func, hasSetter bool) ([]Write, error) {
	var out []Write
	loaded := map[int]bool{} // register families a LEA has just loaded with addr
	for i, inst := range c.insts {
		if c.leader[i] || inst.Op == x86asm.CALL {
			clear(loaded)
		}
		if inst.Op == x86asm.CALL && hasSetter && c.callsTo(i, setter.Entry) {
			v, err := c.constantIn(i, x86asm.RAX)
			if err != nil {
				return nil, fmt.Errorf("call to the setter at %#x: %w", c.addrs[i], err)
			}
			out = append(out, Write{Addr: c.addrs[i], Site: c.addrs[i], Value: v})
			continue
		}
		if inst.Op == x86asm.LEA && c.at(i, inst.Args[1], addr, nil) {
			loaded[family(inst.Args[0].(x86asm.Reg))] = true
			continue
		}
		src, stores, err := c.store(i, addr, loaded)
		if err != nil {
			return nil, err
		}
		if stores {
			v, err := c.valueOf(i, src)
			if err != nil {
				return nil, fmt.Errorf("store at %#x: %w", c.addrs[i], err)
			}
			out = append(out, Write{Addr: c.addrs[i], Site: c.addrs[c.siteBefore(i)], Value: v})
			continue
		}
		if r, ok := inst.Args[0].(x86asm.Reg); ok && writesArg0(inst.Op) {
			delete(loaded, family(r))
		}
	}
	return out, nil
}

// store says whether the instruction at i stores in the variable at addr,
// and what it stores (a register or an immediate).
func (c *code) store(i int, addr uint64, loaded map[int]bool) (x86asm.Arg, bool, error) {
	inst := c.insts[i]
	switch {
	case inst.Op == x86asm.XCHG && c.at(i, inst.Args[0], addr, loaded):
		return inst.Args[1], true, nil
	case inst.Op == x86asm.XCHG && c.at(i, inst.Args[1], addr, loaded):
		return inst.Args[0], true, nil
	case inst.Op == x86asm.MOV && c.at(i, inst.Args[0], addr, loaded):
		return inst.Args[1], true, nil
	case writesArg0(inst.Op) && c.at(i, inst.Args[0], addr, loaded):
		return nil, false, fmt.Errorf("%v at %#x changes the variable in a way the probes cannot read", inst, c.addrs[i])
	}
	return nil, false, nil
}

// at says whether arg is the memory at addr: RIP-relative, or through a
// register in loaded.
func (c *code) at(i int, arg x86asm.Arg, addr uint64, loaded map[int]bool) bool {
	m, ok := arg.(x86asm.Mem)
	if !ok || m.Segment != 0 || m.Index != 0 {
		return false
	}
	if m.Base == x86asm.RIP {
		return c.addrs[i]+uint64(c.insts[i].Len)+uint64(m.Disp) == addr
	}
	return m.Disp == 0 && m.Base != 0 && loaded[family(m.Base)]
}

func (c *code) callsTo(i int, entry uint64) bool {
	rel, ok := c.insts[i].Args[0].(x86asm.Rel)
	return ok && c.addrs[i]+uint64(c.insts[i].Len)+uint64(int64(rel)) == entry
}

// valueOf is the constant src holds at i.
func (c *code) valueOf(i int, src x86asm.Arg) (int64, error) {
	switch s := src.(type) {
	case x86asm.Imm:
		return int64(s), nil
	case x86asm.Reg:
		return c.constantIn(i, s)
	}
	return 0, fmt.Errorf("stores %v, not a constant", src)
}

// constantIn finds the constant register r holds at i: set by a MOV of an
// immediate or zeroed by an XOR earlier in the same run of code, with
// nothing else setting it in between.
func (c *code) constantIn(i int, r x86asm.Reg) (int64, error) {
	want := family(r)
	for j := i - 1; j >= 0 && !c.leader[j+1] && c.insts[j].Op != x86asm.CALL; j-- {
		inst := c.insts[j]
		if dst, ok := inst.Args[0].(x86asm.Reg); ok && family(dst) == want && writesArg0(inst.Op) {
			src, isReg := inst.Args[1].(x86asm.Reg)
			switch imm, isImm := inst.Args[1].(x86asm.Imm); {
			case inst.Op == x86asm.MOV && isImm:
				return int64(imm), nil
			case inst.Op == x86asm.XOR && isReg && family(src) == want:
				return 0, nil
			}
			return 0, fmt.Errorf("%v sets %v to something not constant", inst, r)
		}
	}
	return 0, fmt.Errorf("no constant in %v before it", r)
}

// siteBefore is where a probe of the store at i goes: the earliest
// emulated NOP or PUSH in the run of register-only instructions just
// before it (no jump lands between; no call, branch or store comes
// between), else i.
func (c *code) siteBefore(i int) int {
	site := i
	for j := i - 1; j >= 0 && j >= i-siteWindow && !c.leader[j+1]; j-- {
		inst := c.insts[j]
		if inst.Op == x86asm.CALL || inst.Op == x86asm.JMP || ccOf(inst.Op) >= 0 || inst.Op == x86asm.RET {
			break
		}
		if _, mem := inst.Args[0].(x86asm.Mem); mem && writesArg0(inst.Op) {
			break
		}
		if emulated(inst) {
			site = j
		}
	}
	return site
}

// writesArg0 says whether op writes its first operand (as the moves, the
// arithmetic and the exchanges do); comparisons and tests only read it.
func writesArg0(op x86asm.Op) bool {
	switch op {
	case x86asm.CMP, x86asm.TEST, x86asm.PUSH, x86asm.NOP, x86asm.BT:
		return false
	}
	return true
}

// family numbers a general register whatever its width (AL, AX, EAX and
// RAX are one); other registers get their own numbers.
func family(r x86asm.Reg) int {
	switch {
	case r >= x86asm.AH && r <= x86asm.BH:
		return int(r - x86asm.AH)
	case r >= x86asm.AL && r <= x86asm.BL:
		return int(r - x86asm.AL)
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return int(r-x86asm.SPB) + 4
	case r >= x86asm.AX && r <= x86asm.R15W:
		return int(r - x86asm.AX)
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return int(r - x86asm.EAX)
	case r >= x86asm.RAX && r <= x86asm.R15:
		return int(r - x86asm.RAX)
	}
	return 100 + int(r)
}
