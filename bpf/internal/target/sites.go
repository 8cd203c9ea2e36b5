package target

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// Sites are the addresses where a function's probes go.
//
// Entry is the first PUSHQ BP after the stack check (CMPQ SP, 0x10(R14); JBE
// morestack) when there is one: a probe there fires once per call even when
// the stack grows (morestack jumps back to the function's first byte, before
// it), and the kernel emulates PUSH instead of single-stepping it, about ten
// times cheaper here than a probe on the CMP. Arguments are still in their
// registers at that point. Rets are the RET instructions: Go moves stacks, so
// return probes must be plain uprobes on each RET, never uretprobes.
type Sites struct {
	Func
	Entry uint64
	Rets  []uint64
}

// prologueWindow bounds the search for PUSHQ BP: the stack check is at most a few instructions.
const prologueWindow = 4

// Sites decodes the function named name and finds its probe sites.
func (b *Binary) Sites(name string) (Sites, error) {
	fn, ok := b.Func(name)
	if !ok {
		return Sites{}, fmt.Errorf("%s: no function %s in the symbol table (inlined in %s?)", b.Path, name, b.GoVersion)
	}
	code, err := b.readAt(fn.Entry, fn.Size)
	if err != nil {
		return Sites{}, err
	}
	s := Sites{Func: fn, Entry: fn.Entry}
	foundPush := false
	for off, n := 0, 0; off < len(code); n++ {
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			return Sites{}, fmt.Errorf("%s: cannot decode %s at +%#x: %v", b.Path, name, off, err)
		}
		addr := fn.Entry + uint64(off)
		if !foundPush && n < prologueWindow && inst.Op == x86asm.PUSH && inst.Args[0] == x86asm.RBP {
			s.Entry = addr
			foundPush = true
		}
		if inst.Op == x86asm.RET {
			s.Rets = append(s.Rets, addr)
		}
		off += inst.Len
	}
	return s, nil
}

// Calls finds the CALL instructions to callee inside the function named name.
// A probe there sees callee's arguments in their registers, and the kernel
// emulates a CALL instead of single-stepping it.
func (b *Binary) Calls(name, callee string) ([]uint64, error) {
	var out []uint64
	err := b.walkCalls(name, callee, func(_ []x86asm.Inst, addrs []uint64, i int) {
		out = append(out, addrs[i])
	})
	return out, err
}

// BranchesAfterCalls finds, after each CALL to callee inside the function
// named name, the first branch (Jcc, JMP or CALL) when only TEST and CMP
// come between: a probe there sees callee's first result still in RAX, and
// costs an emulated branch instead of a single-stepped RET inside callee.
// A call that is not followed that way yields nothing (the caller then
// falls back to RET probes).
func (b *Binary) BranchesAfterCalls(name, callee string) ([]uint64, error) {
	var out []uint64
	err := b.walkCalls(name, callee, func(insts []x86asm.Inst, addrs []uint64, i int) {
		for j := i + 1; j < len(insts) && j <= i+4; j++ {
			switch op := insts[j].Op; {
			case op == x86asm.TEST || op == x86asm.CMP:
				continue
			case op == x86asm.JMP || op == x86asm.CALL || isJcc(op):
				out = append(out, addrs[j])
			}
			return
		}
	})
	return out, err
}

func isJcc(op x86asm.Op) bool {
	switch op {
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		return true
	}
	return false
}

// walkCalls decodes the function named name and calls f for each CALL to callee.
func (b *Binary) walkCalls(name, callee string, f func(insts []x86asm.Inst, addrs []uint64, i int)) error {
	fn, ok := b.Func(name)
	if !ok {
		return fmt.Errorf("%s: no function %s in the symbol table (inlined in %s?)", b.Path, name, b.GoVersion)
	}
	target, ok := b.Func(callee)
	if !ok {
		return fmt.Errorf("%s: no function %s in the symbol table (inlined in %s?)", b.Path, callee, b.GoVersion)
	}
	code, err := b.readAt(fn.Entry, fn.Size)
	if err != nil {
		return err
	}
	var insts []x86asm.Inst
	var addrs []uint64
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			return fmt.Errorf("%s: cannot decode %s at +%#x: %v", b.Path, name, off, err)
		}
		insts = append(insts, inst)
		addrs = append(addrs, fn.Entry+uint64(off))
		off += inst.Len
	}
	for i, inst := range insts {
		if inst.Op != x86asm.CALL {
			continue
		}
		if rel, ok := inst.Args[0].(x86asm.Rel); ok && addrs[i]+uint64(inst.Len)+uint64(int64(rel)) == target.Entry {
			f(insts, addrs, i)
		}
	}
	return nil
}
