package target

import (
	"debug/dwarf"
	"debug/gosym"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/arch/x86/x86asm"

	"go-slowmo.dev/bpf/internal/perturb"
)

// Symbols maps program counters of the target to functions and source lines, from its pclntab.
type Symbols struct {
	table      *gosym.Table
	mainModule string

	userFilesOnce sync.Once
	userFiles     map[string]bool
}

// Symbols reads the binary's line table.
func (b *Binary) Symbols() (*Symbols, error) {
	pcln := b.elf.Section(".gopclntab")
	text := b.elf.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("%s: no .gopclntab or .text section", b.Path)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: read .gopclntab: %w", b.Path, err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("%s: parse the line table: %w", b.Path, err)
	}
	return &Symbols{table: table, mainModule: b.MainModule}, nil
}

// Func is the name of the function containing pc, or "" if none does.
func (s *Symbols) Func(pc uint64) string {
	if f := s.table.PCToFunc(pc); f != nil {
		return f.Name
	}
	return ""
}

// Line is the source position of pc.
func (s *Symbols) Line(pc uint64) (file string, line int, fn string) {
	file, line, f := s.table.PCToLine(pc)
	if f != nil {
		fn = f.Name
	}
	return file, line, fn
}

// IsUser says whether a function belongs to the learner's program rather
// than to the runtime or the standard library: package main, or a package of
// the program's own module. The schedule perturbation's helper does not: its
// caller's line is where the learner asked for it.
func (s *Symbols) IsUser(fn string) bool {
	if perturb.IsHelperFunc(fn) {
		return false
	}
	if strings.HasPrefix(fn, "main.") {
		return true
	}
	return s.mainModule != "" && s.mainModule != "command-line-arguments" &&
		(strings.HasPrefix(fn, s.mainModule+".") || strings.HasPrefix(fn, s.mainModule+"/"))
}

// UserFrame finds, among return addresses (innermost first), the first one in
// user code and returns its source position (the call's line, hence pc-1).
func (s *Symbols) UserFrame(returnPCs []uint64) (file string, line int, ok bool) {
	for _, pc := range returnPCs {
		if pc == 0 {
			break
		}
		if f, l, fn := s.Line(pc - 1); s.IsUser(fn) {
			f, l = s.callSite(pc-1, f, l)
			return f, l, true
		}
	}
	return "", 0, false
}

// callSite is the learner's own line for a pc of theirs. A standard library
// function inlined into their code (sync.(*Mutex).Lock's fast path, which
// calls lockSlow to park) has its own file and line at its pcs, so a goroutine
// blocked in mu.Lock() would seem to wait in mutex.go: the line is then the
// last one of a file of the program's before the inlined code, the call's.
func (s *Symbols) callSite(pc uint64, file string, line int) (string, int) {
	if s.isUserFile(file) {
		return file, line
	}
	fn := s.table.PCToFunc(pc)
	if fn == nil {
		return file, line
	}
	// An inlined body is a few hundred bytes at most; the bound keeps a miss cheap.
	for p := pc; p > fn.Entry && pc-p < 4096; p-- {
		if f, l, _ := s.table.PCToLine(p - 1); s.isUserFile(f) {
			return f, l
		}
	}
	return file, line
}

// isUserFile says whether a file declares one of the program's own functions.
func (s *Symbols) isUserFile(file string) bool {
	s.userFilesOnce.Do(func() {
		s.userFiles = map[string]bool{}
		for i := range s.table.Funcs {
			f := &s.table.Funcs[i]
			if s.IsUser(f.Name) {
				if file, _, _ := s.table.PCToLine(f.Entry); file != "" {
					s.userFiles[file] = true
				}
			}
		}
	})
	return s.userFiles[file]
}

// StartFunc names the function a goroutine starting at pc runs, as the
// learner wrote it: `go worker(x)` compiles to a wrapper (main.main.gowrap1)
// that calls main.worker, so a wrapper is seen through to the function it
// calls; `go func(i int) {...}(i)` calls its literal through a register, so
// the literal is found as the function of the same parent starting on the
// `go` statement's line (goLine).
func (b *Binary) StartFunc(s *Symbols, pc uint64, goLine int) string {
	name := s.Func(pc)
	i := strings.LastIndex(name, ".gowrap")
	if i < 0 {
		return name
	}
	fn, ok := b.Func(name)
	if !ok {
		return name
	}
	// A small function is inlined into the wrapper: DWARF still names it.
	if inlined := b.firstInlined(fn.Entry); inlined != "" {
		return inlined
	}
	if lit := s.literalAt(name[:i], goLine); lit != "" {
		return lit
	}
	code, err := b.readAt(fn.Entry, fn.Size)
	if err != nil {
		return name
	}
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			break
		}
		off += inst.Len
		if rel, ok := inst.Args[0].(x86asm.Rel); ok && inst.Op == x86asm.CALL {
			callee := s.Func(fn.Entry + uint64(off) + uint64(int64(rel)))
			if callee != "" && !strings.HasPrefix(callee, "runtime.") {
				return callee
			}
		}
	}
	return name
}

// firstInlined is the name of the first function inlined into the function at entry, per DWARF.
func (b *Binary) firstInlined(entry uint64) string {
	r := b.dwarf.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return ""
		}
		if e.Tag != dwarf.TagSubprogram {
			if e.Tag != dwarf.TagCompileUnit && e.Children {
				r.SkipChildren()
			}
			continue
		}
		if low, _ := e.Val(dwarf.AttrLowpc).(uint64); low != entry || !e.Children {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		for {
			c, err := r.Next()
			if err != nil || c == nil || c.Tag == 0 {
				return ""
			}
			if c.Tag == dwarf.TagInlinedSubroutine {
				origin, ok := c.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
				if !ok {
					return ""
				}
				r.Seek(origin)
				o, err := r.Next()
				if err != nil || o == nil {
					return ""
				}
				name, _ := o.Val(dwarf.AttrName).(string)
				return name
			}
			if c.Children {
				r.SkipChildren()
			}
		}
	}
}

// literalAt finds parent's function literal (parent.funcN) declared on line.
func (s *Symbols) literalAt(parent string, line int) string {
	prefix := parent + ".func"
	for i := range s.table.Funcs {
		f := &s.table.Funcs[i]
		if !strings.HasPrefix(f.Name, prefix) || strings.Contains(f.Name[len(prefix):], ".") {
			continue
		}
		if _, l, _ := s.table.PCToLine(f.Entry); l == line {
			return f.Name
		}
	}
	return ""
}

// LineSites are the first instruction of each source line in the learner's
// own functions: where paced mode puts its `line` probes. Symbol and offset
// pairs, as uprobes take them.
type LineSites struct {
	Symbols []string
	Offsets []uint64
}

// UserLines finds the line starts of every user function (see IsUser).
func (b *Binary) UserLines(s *Symbols) (LineSites, error) {
	var out LineSites
	for i := range s.table.Funcs {
		f := &s.table.Funcs[i]
		if !s.IsUser(f.Name) {
			continue
		}
		fn, ok := b.Func(f.Name)
		if !ok {
			continue
		}
		code, err := b.readAt(fn.Entry, fn.Size)
		if err != nil {
			return LineSites{}, err
		}
		prevFile, prevLine := "", -1
		for off := 0; off < len(code); {
			inst, err := x86asm.Decode(code[off:], 64)
			if err != nil {
				break
			}
			pc := fn.Entry + uint64(off)
			file, line, _ := s.table.PCToLine(pc)
			// The function's first instruction is its stack check, which morestack
			// re-runs: the line starts after it.
			if off > 0 && line > 0 && (line != prevLine || file != prevFile) && !strings.HasPrefix(file, "<") {
				out.Symbols = append(out.Symbols, f.Name)
				out.Offsets = append(out.Offsets, uint64(off))
			}
			prevFile, prevLine = file, line
			off += inst.Len
		}
	}
	return out, nil
}
