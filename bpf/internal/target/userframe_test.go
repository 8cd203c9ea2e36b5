package target

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

const lockProgram = `package main

import "sync"

var mu sync.Mutex

func main() {
	mu.Lock()
	go func() {
		mu.Lock()
	}()
	mu.Lock()
}
`

// A goroutine parked in mu.Lock() returns into the learner's function from
// lockSlow, at pcs the line table gives to the inlined sync.(*Mutex).Lock:
// UserFrame must name the learner's line, not mutex.go.
func TestUserFrameOfAnInlinedLockIsTheLearnersLine(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"main.go": lockProgram, "go.mod": "module prog\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := b.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"main.main": 12, "main.main.func1": 10}
	for fnName, line := range want {
		fn, ok := b.Func(fnName)
		if !ok {
			t.Fatalf("no %s", fnName)
		}
		code, err := b.readAt(fn.Entry, fn.Size)
		if err != nil {
			t.Fatal(err)
		}
		var rets []uint64
		for off := 0; off < len(code); {
			inst, err := x86asm.Decode(code[off:], 64)
			if err != nil {
				break
			}
			off += inst.Len
			if rel, ok := inst.Args[0].(x86asm.Rel); ok && inst.Op == x86asm.CALL {
				callee := syms.Func(fn.Entry + uint64(off) + uint64(int64(rel)))
				if strings.HasSuffix(callee, "(*Mutex).lockSlow") {
					rets = append(rets, fn.Entry+uint64(off))
				}
			}
		}
		if len(rets) == 0 {
			t.Fatalf("%s calls no lockSlow", fnName)
		}
		// main.main locks twice: its last call is the one that blocks.
		ret := rets[len(rets)-1]
		if inlined, _, _ := syms.Line(ret - 1); strings.HasSuffix(inlined, "main.go") {
			t.Logf("%s: the line table already names main.go at the call", fnName)
		}
		file, got, ok := syms.UserFrame([]uint64{ret})
		if !ok || !strings.HasSuffix(file, "main.go") || got != line {
			t.Errorf("%s: UserFrame = %s:%d (%v), want main.go:%d", fnName, file, got, ok, line)
		}
	}
}
