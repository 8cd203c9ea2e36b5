package target

import (
	"debug/dwarf"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// Annotations is where a program's runtime/trace annotations (tasks,
// regions, logs) can be seen without the tracer on, and what the probes
// there need to know. runtime/trace.NewTask, Task.End, Log and WithRegion
// always call the runtime's userTaskCreate, userTaskEnd, userLog and
// userRegion (which do nothing unless the tracer is on); StartRegion with
// the tracer off returns a shared noopRegion without calling anything, and
// Region.End, inlined into its callers, returns at once for that region. So
// StartRegion is probed itself, and each Region.End at its branch on the
// comparison with noopRegion.
type Annotations struct {
	// Entry sites of the runtime's functions (Site.Addr 0 when absent).
	TaskCreate, TaskEnd, Region, Log Site
	// StartRegion's entry, and the address of the word it tests to see
	// whether the tracer is on (runtime/trace.tracing.enabled): with the
	// tracer on, userRegion says the region. 0 when not found.
	StartRegion Site
	Enabled     uint64
	// Ends are the conditional branches right after each comparison of a
	// region with noopRegion, in Region.End and wherever it was inlined:
	// equal (ZF set) is the end of a region StartRegion did not record.
	Ends []Site
	// The runtime type descriptors that StartRegion's probe needs to find
	// the task in its context (what runtime/trace's fromContext does):
	// *context.valueCtx, the key type runtime/trace.traceContextKey, and the
	// context types whose parent Context is their first field. 0 (or
	// absent) when the binary has no such type.
	ValueCtx, TaskKey uint64
	ParentCtx         []uint64
}

// Site is a probe site: an address, and the function it is in (uprobes attach
// to a symbol and an offset).
type Site struct {
	Func Func
	Addr uint64
}

// Offset is the site's offset in its function.
func (s Site) Offset() uint64 { return s.Addr - s.Func.Entry }

// Has says whether the binary links runtime/trace's annotations at all.
func (a Annotations) Has() bool { return a.Region.Addr != 0 }

// contextTypes are the types the context walk knows: a *valueCtx holds a key
// and a value after its parent; the others hold only their parent first
// (runtime/trace's fromContext goes through them by their Value methods).
var contextTypes = []string{"*context.cancelCtx", "*context.timerCtx", "context.withoutCancelCtx",
	"*context.afterFuncCtx", "*context.stopCtx"}

// Annotations finds where runtime/trace's annotations can be probed. A
// program that does not link runtime/trace has none (Has is false).
func (b *Binary) Annotations(s *Symbols) (Annotations, error) {
	var a Annotations
	for _, f := range []struct {
		site *Site
		name string
	}{
		{&a.TaskCreate, "runtime/trace.userTaskCreate"}, {&a.TaskEnd, "runtime/trace.userTaskEnd"},
		{&a.Region, "runtime/trace.userRegion"}, {&a.Log, "runtime/trace.userLog"},
	} {
		if _, ok := b.Func(f.name); !ok {
			continue
		}
		ss, err := b.Sites(f.name)
		if err != nil {
			return a, err
		}
		*f.site = Site{ss.Func, ss.Entry}
	}
	if !a.Has() {
		return a, nil
	}
	if _, ok := b.Func("runtime/trace.StartRegion"); !ok {
		return a, nil // no StartRegion, so no Region.End either
	}
	ss, err := b.Sites("runtime/trace.StartRegion")
	if err != nil {
		return a, err
	}
	a.StartRegion = Site{ss.Func, ss.Entry}
	if a.Enabled, err = b.enabledFlag(ss.Func); err != nil {
		return a, err
	}
	if a.Ends, err = b.regionEnds(s); err != nil {
		return a, err
	}
	err = b.contextTypes(&a)
	return a, err
}

// enabledFlag finds the word StartRegion tests first (IsEnabled, inlined:
// tracing.enabled), as the first load from runtime/trace.tracing in its code.
func (b *Binary) enabledFlag(fn Func) (uint64, error) {
	tracing, ok := b.objects["runtime/trace.tracing"]
	if !ok || b.PIE() {
		return 0, nil
	}
	code, err := b.readAt(fn.Entry, fn.Size)
	if err != nil {
		return 0, err
	}
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			return 0, fmt.Errorf("%s: cannot decode %s at +%#x: %v", b.Path, fn.Name, off, err)
		}
		off += inst.Len
		if addr, ok := ripTarget(inst, fn.Entry+uint64(off)); ok && addr >= tracing.Value && addr < tracing.Value+tracing.Size {
			return addr, nil
		}
	}
	return 0, nil
}

// ripTarget is the address a RIP-relative memory operand of inst refers to;
// next is the address of the instruction after inst.
func ripTarget(inst x86asm.Inst, next uint64) (uint64, bool) {
	for _, arg := range inst.Args {
		if m, ok := arg.(x86asm.Mem); ok && m.Base == x86asm.RIP && m.Index == 0 {
			return next + uint64(m.Disp), true
		}
	}
	return 0, false
}

// regionEnds finds every CMP of a register with the variable noopRegion
// (the first thing Region.End does) followed by a conditional branch, in
// the whole of the program's code: Region.End is inlined into whatever
// calls it, in any package. The code is searched for the instruction's
// bytes (REX.W CMP with a RIP-relative operand naming noopRegion), and
// each find is decoded to be sure.
func (b *Binary) regionEnds(s *Symbols) ([]Site, error) {
	noop, ok := b.objects["runtime/trace.noopRegion"]
	text := b.elf.Section(".text")
	if !ok || text == nil || b.PIE() {
		return nil, nil
	}
	code, err := text.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: read .text: %w", b.Path, err)
	}
	var out []Site
	for i := 0; i+7 < len(code); i++ {
		// REX.W (or REX.WR for R8-R15), CMP r/m64,r64 (39) or r64,r/m64 (3B), ModRM mod 00 r/m 101: [RIP+disp32].
		if (code[i] != 0x48 && code[i] != 0x4c) || (code[i+1] != 0x39 && code[i+1] != 0x3b) || code[i+2]&0xc7 != 0x05 {
			continue
		}
		addr := text.Addr + uint64(i)
		cmp, err := x86asm.Decode(code[i:], 64)
		if err != nil || cmp.Op != x86asm.CMP {
			continue
		}
		if t, ok := ripTarget(cmp, addr+uint64(cmp.Len)); !ok || t != noop.Value {
			continue
		}
		j := i + cmp.Len
		jcc, err := x86asm.Decode(code[j:], 64)
		if err != nil || (jcc.Op != x86asm.JE && jcc.Op != x86asm.JNE) {
			continue
		}
		site := text.Addr + uint64(j)
		fn, ok := b.Func(s.Func(site))
		if !ok {
			continue
		}
		out = append(out, Site{fn, site})
	}
	return out, nil
}

// contextTypes reads the runtime type descriptors of the context types
// from the DWARF (DW_AT_go_runtime_type: an offset from runtime.types),
// where the linker puts every type: in the runtime's unit.
func (b *Binary) contextTypes(a *Annotations) error {
	base, ok := b.objects["runtime.types"]
	if !ok || b.PIE() {
		return nil
	}
	want := map[string]*uint64{"*context.valueCtx": &a.ValueCtx, "runtime/trace.traceContextKey": &a.TaskKey}
	parents := make([]uint64, len(contextTypes))
	for i, name := range contextTypes {
		want[name] = &parents[i]
	}
	if err := b.runtimeTypes(want); err != nil {
		return err
	}
	for _, t := range parents {
		if t != 0 {
			a.ParentCtx = append(a.ParentCtx, base.Value+t)
		}
	}
	for _, t := range []*uint64{&a.ValueCtx, &a.TaskKey} {
		if *t != 0 {
			*t += base.Value
		}
	}
	return nil
}

// attrGoRuntimeType is Go's DW_AT_go_runtime_type.
const attrGoRuntimeType = dwarf.Attr(0x2904)

// runtimeTypes sets each wanted type's DW_AT_go_runtime_type, scanning the
// units named runtime (there are several; the linker's types are in one of
// them) until it has them all.
func (b *Binary) runtimeTypes(want map[string]*uint64) error {
	r := b.dwarf.Reader()
	for found := 0; found < len(want); {
		e, err := r.Next()
		if err != nil {
			return fmt.Errorf("%s: reading DWARF: %w", b.Path, err)
		}
		if e == nil {
			return nil
		}
		if e.Tag == dwarf.TagCompileUnit {
			if name, _ := e.Val(dwarf.AttrName).(string); name != "runtime" {
				r.SkipChildren()
			}
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if p := want[name]; p != nil && *p == 0 {
			switch v := e.Val(attrGoRuntimeType).(type) {
			case uint64:
				*p = v
				found++
			case int64:
				*p = uint64(v)
				found++
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	return nil
}
