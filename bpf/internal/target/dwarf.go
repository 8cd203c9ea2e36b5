package target

import (
	"debug/dwarf"
	"fmt"
)

// Struct is a runtime type's layout from the binary's DWARF: its size and its fields' offsets.
type Struct struct {
	Name   string
	Size   int64
	Fields map[string]int64
}

// Offset returns the offset of a field, or an error naming the struct and field when the binary has no such field.
func (s Struct) Offset(field string) (int64, error) {
	off, ok := s.Fields[field]
	if !ok {
		return 0, fmt.Errorf("%s has no field %q in this Go version", s.Name, field)
	}
	return off, nil
}

// Structs reads the layout of the named struct types (e.g. "runtime.g"):
// first in the runtime's own unit of the DWARF, where the runtime's types
// are, then in every unit for any still missing. What it finds is kept, so
// that one pass serves every later call (and callers at once wait for it).
func (b *Binary) Structs(names ...string) (map[string]Struct, error) {
	b.structsMu.Lock()
	defer b.structsMu.Unlock()
	if b.structs == nil {
		b.structs = make(map[string]Struct)
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		if _, ok := b.structs[n]; !ok {
			want[n] = true
		}
	}
	found := make(map[string]Struct, len(want))
	for _, unit := range []string{"runtime", ""} {
		if len(found) == len(want) {
			break
		}
		if err := b.scanStructs(unit, want, found); err != nil {
			return nil, err
		}
	}
	for n, s := range found {
		b.structs[n] = s
	}
	out := make(map[string]Struct, len(names))
	for _, n := range names {
		s, ok := b.structs[n]
		if !ok {
			return nil, fmt.Errorf("%s: no DWARF type %s", b.Path, n)
		}
		out[n] = s
	}
	return out, nil
}

// scanStructs reads the wanted struct types found in the unit named unit
// ("" for every unit) into out, until out has them all.
func (b *Binary) scanStructs(unit string, want map[string]bool, out map[string]Struct) error {
	r := b.dwarf.Reader()
	inUnit := false
	for len(out) < len(want) {
		e, err := r.Next()
		if err != nil {
			return fmt.Errorf("%s: reading DWARF: %w", b.Path, err)
		}
		if e == nil {
			break
		}
		if e.Tag == dwarf.TagCompileUnit && unit != "" {
			if inUnit {
				break // past it
			}
			if name, _ := e.Val(dwarf.AttrName).(string); name != unit {
				r.SkipChildren() // to the next unit, without decoding this one
				continue
			}
			inUnit = true
			continue
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if !want[name] || !e.Children {
			continue
		}
		if _, seen := out[name]; seen {
			r.SkipChildren()
			continue
		}
		size, _ := e.Val(dwarf.AttrByteSize).(int64)
		s := Struct{Name: name, Size: size, Fields: map[string]int64{}}
		for {
			c, err := r.Next()
			if err != nil {
				return fmt.Errorf("%s: reading DWARF of %s: %w", b.Path, name, err)
			}
			if c == nil || c.Tag == 0 {
				break
			}
			if c.Tag == dwarf.TagMember {
				field, _ := c.Val(dwarf.AttrName).(string)
				if off, ok := c.Val(dwarf.AttrDataMemberLoc).(int64); ok {
					s.Fields[field] = off
				}
			}
			if c.Children {
				r.SkipChildren()
			}
		}
		out[name] = s
	}
	return nil
}
