package target

import (
	"debug/dwarf"
	"debug/elf"
	"sync"
)

// The functions inlined at a program counter, per DWARF: the pclntab names
// the function code was compiled into (its caller, for an inlined function),
// though its lines are the inlined function's own. DWARF keeps each inlined
// body as an inlined subroutine of its caller, with its address ranges.

// inlines caches InlinedAt by pc; its ranges are read when first needed.
type inlines struct {
	mu     sync.Mutex
	at     map[uint64][]string
	data   *dwarf.Data // with the ranges tables, which the probes' DWARF leaves out
	loaded bool
}

// InlinedAt names the functions inlined at pc, innermost first (none when pc
// is in no inlined body, or the binary's DWARF cannot say).
func (b *Binary) InlinedAt(pc uint64) []string {
	b.inl.mu.Lock()
	defer b.inl.mu.Unlock()
	if names, ok := b.inl.at[pc]; ok {
		return names
	}
	if !b.inl.loaded {
		b.inl.loaded = true
		b.inl.at = map[uint64][]string{}
		b.inl.data = withRanges(b.elf)
	}
	var names []string
	if b.inl.data != nil {
		names = inlinedAt(b.inl.data, pc)
	}
	b.inl.at[pc] = names
	return names
}

// withRanges is the binary's whole DWARF (its ranges tables among it), or nil.
func withRanges(f *elf.File) *dwarf.Data {
	d, err := f.DWARF()
	if err != nil {
		return nil
	}
	return d
}

// inlinedAt walks the compile unit holding pc down to the subprogram and the
// nested inlined subroutines whose ranges hold it.
func inlinedAt(d *dwarf.Data, pc uint64) []string {
	r := d.Reader()
	if _, err := r.SeekPC(pc); err != nil {
		return nil
	}
	var names []string
	depth, entered := 0, false
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return names
		}
		if e.Tag == 0 {
			if depth == 0 {
				return names // the compile unit's end
			}
			depth--
			if entered && depth == 0 {
				return names // the subprogram holding pc is over
			}
			continue
		}
		holds := false
		if e.Tag == dwarf.TagSubprogram || e.Tag == dwarf.TagInlinedSubroutine {
			holds = rangesHold(d, e, pc)
		}
		if !holds {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		if e.Tag == dwarf.TagInlinedSubroutine {
			if name := originName(d, e); name != "" {
				names = append([]string{name}, names...)
			}
		}
		entered = true
		if !e.Children {
			if depth == 0 {
				return names
			}
			continue
		}
		depth++
	}
}

func rangesHold(d *dwarf.Data, e *dwarf.Entry, pc uint64) bool {
	ranges, err := d.Ranges(e)
	if err != nil {
		return false
	}
	for _, rg := range ranges {
		if rg[0] <= pc && pc < rg[1] {
			return true
		}
	}
	return false
}

// originName is the name of the function an inlined subroutine is a copy of.
func originName(d *dwarf.Data, e *dwarf.Entry) string {
	off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
	if !ok {
		return ""
	}
	r := d.Reader()
	r.Seek(off)
	o, err := r.Next()
	if err != nil || o == nil {
		return ""
	}
	name, _ := o.Val(dwarf.AttrName).(string)
	return name
}
