package target

import (
	"debug/gosym"
	"fmt"
	"strings"
)

// Symbols maps program counters of the target to functions and source lines, from its pclntab.
type Symbols struct {
	table      *gosym.Table
	mainModule string
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
// the program's own module.
func (s *Symbols) IsUser(fn string) bool {
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
			return f, l, true
		}
	}
	return "", 0, false
}
