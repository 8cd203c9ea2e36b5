package target

import (
	"encoding/binary"
	"regexp"
	"sort"
)

// allocators are the runtime's allocation entry points, all taking (size
// uintptr, typ *_type, needzero bool, ...) and returning the object:
// mallocgc, and from Go 1.27 the size-specialised ones the compiler calls
// directly (mallocgcSmallScanNoHeaderSC2...) and their slow paths.
var allocators = regexp.MustCompile(`^runtime\.mallocgc((SmallScanNoHeader|SmallNoScan|Tiny)SC\d+|TinySize\d+|(Tiny|SmallScan|SmallNoScan)SlowPath)?$`)

// Allocators lists the allocation entry points bin has, sorted.
func (b *Binary) Allocators() []string {
	var out []string
	for name := range b.funcs {
		if allocators.MatchString(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Globals is the range of the data and bss segments, where the package
// variables with pointers live: the roots the collector scans as globals.
func (b *Binary) Globals() (lo, hi uint64, ok bool) {
	lo, okLo := b.Var("runtime.data")
	hi, okHi := b.Var("runtime.ebss")
	return lo, hi, okLo && okHi && lo < hi && !b.PIE()
}

// SizeClasses is the runtime's table of object sizes by size class
// (internal/runtime/gc.SizeClassToSize from Go 1.26, runtime.class_to_size
// before), read from the binary's data; nil when it has none.
func (b *Binary) SizeClasses() []uint64 {
	for _, name := range []string{"internal/runtime/gc.SizeClassToSize", "runtime.class_to_size"} {
		s, ok := b.objects[name]
		if !ok || s.Size == 0 || s.Size%2 != 0 {
			continue
		}
		raw, err := b.readAt(s.Value, s.Size)
		if err != nil {
			continue
		}
		out := make([]uint64, len(raw)/2)
		for i := range out {
			out[i] = uint64(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		return out
	}
	return nil
}
