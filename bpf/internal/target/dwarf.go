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

// Structs reads the layout of the named struct types (e.g. "runtime.g") in one pass over the DWARF.
func (b *Binary) Structs(names ...string) (map[string]Struct, error) {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	out := make(map[string]Struct, len(names))
	r := b.dwarf.Reader()
	for len(out) < len(names) {
		e, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("%s: reading DWARF: %w", b.Path, err)
		}
		if e == nil {
			break
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
				return nil, fmt.Errorf("%s: reading DWARF of %s: %w", b.Path, name, err)
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
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("%s: no DWARF type %s", b.Path, n)
		}
	}
	return out, nil
}
