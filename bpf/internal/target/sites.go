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
