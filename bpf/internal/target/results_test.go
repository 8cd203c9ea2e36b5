package target

import (
	"strings"
	"testing"

	"go-slowmo.dev/bpf"
)

// The callees an allocator's return site may come before (probe/gc.go's allocReturnsAllowed).
var resultAllowed = []string{"runtime.postMallocgcDebug", "runtime.gcStart"}

// TestAllocatorResultSites: on every supported Go, the allocators are found
// (from Go 1.27 the size-specialised ones the compiler calls too), their
// return sites lead to their RETs (as checkReturnSites checks), a result
// read from the stack is a word of the frame, and most of their RETs are
// stood in for by emulated sites rather than probed themselves.
func TestAllocatorResultSites(t *testing.T) {
	for _, version := range bpf.GoVersions() {
		t.Run(version, func(t *testing.T) {
			b, err := Open(build(t, version, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			allocs := b.Allocators()
			if len(allocs) == 0 || allocs[0] != "runtime.mallocgc" {
				t.Fatalf("allocators %v: no runtime.mallocgc first", allocs)
			}
			if specialised := strings.Contains(strings.Join(allocs, " "), "SC2"); specialised != (b.Minor >= 27) {
				t.Errorf("allocators %v: size-specialised ones %v, want them from Go 1.27", allocs, specialised)
			}
			allowed := append(append([]string{}, resultAllowed...), allocs...)
			rets, moved := 0, 0
			for _, name := range allocs {
				checkReturnSites(t, b, name, allowed)
				sites, err := b.ResultSites(name, allowed...)
				if err != nil {
					t.Fatal(err)
				}
				self := map[uint64]bool{}
				all := map[uint64]bool{}
				for _, s := range sites {
					all[s.Ret] = true
					if s.Addr == s.Ret {
						self[s.Ret] = true
						if s.From != ResultInAX {
							t.Errorf("%s: its RET +%#x reads the result from %d, not RAX", name, s.Ret, s.From)
						}
					}
					if s.From == ResultOnStack && (s.Off < 0 || s.Off%8 != 0) {
						t.Errorf("%s: site %#x reads the result at RSP%+d, not a word of the frame", name, s.Addr, s.Off)
					}
				}
				rets, moved = rets+len(all), moved+len(all)-len(self)
			}
			if moved*4 < rets*3 {
				t.Errorf("%d of the allocators' %d RETs have emulated sites; want three quarters", moved, rets)
			}
		})
	}
}
