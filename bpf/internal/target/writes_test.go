package target

import (
	"slices"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"go-slowmo.dev/bpf"
)

// phaseWrites are the runtime's GC phase changes the probes place: the
// values each function (with its closures) stores in runtime.gcphase, in
// order (_GCoff 0, _GCmark 1, _GCmarktermination 2). gcMarkDone stops the
// world for mark termination and may start it again without a change: it
// writes none.
var phaseWrites = map[string][]int64{
	"runtime.gcStart":           {1},
	"runtime.gcMarkTermination": {2, 0},
	"runtime.gcMarkDone":        nil,
}

// TestGCPhaseWrites checks, on every supported Go, that Writes finds each
// change of the GC phase with its value, inlined (setGCPhase is inlined
// everywhere), with an emulated site before the store; and, in a build
// whose runtime inlines nothing, as calls to setGCPhase.
func TestGCPhaseWrites(t *testing.T) {
	versions := bpf.GoVersions()
	for _, version := range versions {
		t.Run(version, func(t *testing.T) {
			checkPhaseWrites(t, buildWith(t, version), true)
		})
	}
	t.Run("setGCPhase not inlined", func(t *testing.T) {
		checkPhaseWrites(t, buildWith(t, versions[len(versions)-1], "-gcflags=runtime=-l"), false)
	})
}

func checkPhaseWrites(t *testing.T, path string, inlined bool) {
	t.Helper()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, ok := b.Func("runtime.setGCPhase"); ok == inlined {
		t.Fatalf("runtime.setGCPhase has a symbol: %v, want %v", ok, !inlined)
	}
	for fn, want := range phaseWrites {
		ws, err := b.Writes(fn, "runtime.gcphase", "runtime.setGCPhase")
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, w := range ws {
			got = append(got, w.Value)
			store, site := decodeIn(t, b, w.Func, w.Addr), decodeIn(t, b, w.Func, w.Site)
			switch {
			case inlined && (store.Op != x86asm.XCHG || w.Site == w.Addr):
				t.Errorf("%s: store %v at %#x, probed at %#x: want an XCHG probed before it", w.Func.Name, store, w.Addr, w.Site)
			case !inlined && (store.Op != x86asm.CALL || w.Site != w.Addr):
				t.Errorf("%s: %v at %#x, probed at %#x: want the call to setGCPhase, probed itself", w.Func.Name, store, w.Addr, w.Site)
			case !emulated(site):
				t.Errorf("%s: site %#x is %v, which the kernel single-steps", w.Func.Name, w.Site, site)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s stores %v in gcphase, want %v", fn, got, want)
		}
	}
}

func decodeIn(t *testing.T, b *Binary, fn Func, addr uint64) x86asm.Inst {
	t.Helper()
	code, err := b.readAt(addr, min(16, fn.Entry+fn.Size-addr))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := x86asm.Decode(code, 64)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}
