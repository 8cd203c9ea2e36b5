// Package target reads, from a compiled Go program itself, everything the
// probes need to know about it: its Go version, where each runtime function
// starts and returns, the offsets of the runtime structures' fields, and the
// runtime's own tables of names (wait reasons). Nothing is assumed per Go
// version: the binary's DWARF and symbol table are the source of truth, and
// the version tables in the tests are only an oracle.
package target

import (
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
)

// MinGoMinor is the oldest Go release (1.MinGoMinor) whose runtime layout the probes know how to read.
const MinGoMinor = 22

// Error is a problem with the target binary: one line, saying what is wrong and how to fix it.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Binary is an opened Go executable.
type Binary struct {
	Path       string
	GoVersion  string // e.g. "go1.26.8"
	Minor      int    // 26 for go1.26.8
	MainModule string // the main module's path, to tell user code from the runtime's
	Experiment string // the GOEXPERIMENT it was built with ("" for the release's default)
	elf        *elf.File
	dwarf      *dwarf.Data
	funcs      map[string]elf.Symbol
	objects    map[string]elf.Symbol
	entries    map[uint64]string // function entry -> name, made when first needed (funcAt)
	structsMu  sync.Mutex
	structs    map[string]Struct // what Structs found
	inl        inlines           // InlinedAt's cache
}

// Open checks that path is a Go program the probes can work with, and opens it.
func Open(path string) (*Binary, error) {
	fail := func(format string, args ...any) (*Binary, error) {
		return nil, &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("no such file")
	case err != nil:
		return fail("cannot read it: %v", err)
	case st.IsDir():
		return fail("is a directory, not a program")
	}
	f, err := elf.Open(path)
	if err != nil {
		return fail("not an ELF executable (build a Go program for linux/amd64 with go build)")
	}
	if f.Machine != elf.EM_X86_64 {
		f.Close()
		return fail("built for %v; the probes support linux/amd64 (set GOARCH=amd64)", f.Machine)
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		f.Close()
		return fail("not built by Go (no Go build information)")
	}
	minor, ok := goMinor(info.GoVersion)
	if !ok {
		f.Close()
		return fail("unrecognized Go version %q", info.GoVersion)
	}
	if minor < MinGoMinor {
		f.Close()
		return fail("built with %s; go1.%d or newer is needed", info.GoVersion, MinGoMinor)
	}
	b := &Binary{Path: path, GoVersion: info.GoVersion, Minor: minor, MainModule: info.Main.Path, elf: f}
	for _, s := range info.Settings {
		if s.Key == "GOEXPERIMENT" {
			b.Experiment = s.Value
		}
	}
	// The DWARF is decompressed (a few ms) while the symbols are read.
	type loaded struct {
		d   *dwarf.Data
		err error
	}
	dwarfLoaded := make(chan loaded, 1)
	go func() {
		d, err := entriesDWARF(f)
		dwarfLoaded <- loaded{d, err}
	}()
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		<-dwarfLoaded
		f.Close()
		return fail("has no symbol table (stripped): build it with plain `go build`, without -ldflags=\"-s -w\"; `go run` and `go test` binaries are stripped too")
	}
	b.funcs = make(map[string]elf.Symbol)
	b.objects = make(map[string]elf.Symbol)
	for _, s := range syms {
		switch elf.ST_TYPE(s.Info) {
		case elf.STT_FUNC:
			b.funcs[s.Name] = s
		case elf.STT_OBJECT:
			b.objects[s.Name] = s
		}
	}
	dl := <-dwarfLoaded
	if b.dwarf, err = dl.d, dl.err; err != nil {
		f.Close()
		return fail("has no DWARF debug information: build it with plain `go build`, without -ldflags=\"-w\"")
	}
	return b, nil
}

// entriesDWARF reads the DWARF as far as the probes use it, its entries
// (types, functions, inlining), without the line, location and frame tables
// that are most of the rest: they cost a start a few ms to decompress. A
// binary laid out otherwise gets all of it.
func entriesDWARF(f *elf.File) (*dwarf.Data, error) {
	section := func(name string) []byte {
		s := f.Section(name)
		if s == nil || s.Type == elf.SHT_NOBITS {
			return nil
		}
		data, err := s.Data()
		if err != nil {
			return nil
		}
		return data
	}
	abbrev, info := section(".debug_abbrev"), section(".debug_info")
	if abbrev == nil || info == nil {
		return f.DWARF()
	}
	d, err := dwarf.New(abbrev, nil, nil, info, nil, nil, nil, section(".debug_str"))
	if err != nil {
		return f.DWARF()
	}
	for _, name := range []string{".debug_addr", ".debug_str_offsets", ".debug_line_str"} {
		if data := section(name); data != nil {
			if err := d.AddSection(name, data); err != nil {
				return f.DWARF()
			}
		}
	}
	return d, nil
}

// Close releases the file.
func (b *Binary) Close() error { return b.elf.Close() }

// goMinor turns "go1.26.8" (or "go1.27rc1", "go1.22.0 X:...") into 26.
func goMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "go1.")
	if !ok {
		return 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	return n, err == nil
}

// Func is a function's location in the binary.
type Func struct {
	Name  string
	Entry uint64
	Size  uint64
}

// Func finds a function by its symbol name, e.g. "runtime.execute".
func (b *Binary) Func(name string) (Func, bool) {
	s, ok := b.funcs[name]
	if !ok {
		return Func{}, false
	}
	return Func{Name: name, Entry: s.Value, Size: s.Size}, true
}

// readAt reads n bytes at virtual address addr from the section holding it.
func (b *Binary) readAt(addr, n uint64) ([]byte, error) {
	for _, s := range b.elf.Sections {
		if s.Type == elf.SHT_NOBITS || s.Addr == 0 || addr < s.Addr || addr+n > s.Addr+s.Size {
			continue
		}
		buf := make([]byte, n)
		if _, err := s.ReadAt(buf, int64(addr-s.Addr)); err != nil {
			return nil, fmt.Errorf("read %d bytes at %#x in %s: %w", n, addr, s.Name, err)
		}
		return buf, nil
	}
	return nil, fmt.Errorf("address %#x is in no section of the file", addr)
}

// FileOffset converts a virtual address of code into an offset in the file, which is what uprobes attach to.
func (b *Binary) FileOffset(addr uint64) (uint64, error) {
	for _, p := range b.elf.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address %#x is not in an executable segment", addr)
}

// Var is the address of a package-level variable, e.g. "runtime.sched".
// In a position-independent executable it is relative to the load address.
func (b *Binary) Var(name string) (uint64, bool) {
	s, ok := b.objects[name]
	return s.Value, ok
}

// PIE says whether the binary is position-independent (built with
// -buildmode=pie): then its variables' addresses are known only once it runs.
func (b *Binary) PIE() bool { return b.elf.Type == elf.ET_DYN }
