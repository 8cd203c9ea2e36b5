package ckinds

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The probe's records_gen.go is what its C generates now (else: go generate
// in bpf/internal/probe).
func TestProbesRecordLayoutIsGenerated(t *testing.T) {
	src, err := os.ReadFile("../probe/c/slowmo.bpf.c")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(src, "c/slowmo.bpf.c", "probe")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../probe/records_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("bpf/internal/probe/records_gen.go is stale: run go generate in bpf/internal/probe. It should be:\n%s", want)
	}
}

func TestReadsTheC(t *testing.T) {
	src := []byte(`
#define A 4
#define B (A * 2 + 1)
#define IGNORED "text"
enum kind {
	K_ONE = 1,   // one
	K_TWO_WORDS = 2,
	K_PSTATE = 13, // renamed
};
struct header {
	__u64 ts;
	__u32 kind;
	__s64 m, p;
	__u16 x[A];
	__u64 a[B];
};
`)
	old := Sizes
	defer func() { Sizes = old }()
	Sizes = []struct{ C, Go string }{{"B", "bee"}}
	out, err := Generate(src, "x.c", "p")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kOne      = 1  // K_ONE: one",
		"kTwoWords = 2  // K_TWO_WORDS: (no comment in the C)",
		"kPState   = 13 // K_PSTATE: renamed",
		// 8 + 4, pad to 16, + 2*8, + 4*2 = 40, pad to 40, + 9*8 = 112.
		"headerSize = 112",
		"headerArgs = 9",
		"bee        = 9   // B",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	for _, bad := range []string{
		"enum kind { K_X, };\nstruct header { __u64 a[1]; };",
		"enum kind { K_X = 1, };\nstruct header { int a; };",
		"struct header { __u64 a[1]; };",
	} {
		if _, err := Generate([]byte(strings.ReplaceAll(bad, "{ ", "{\n")), "x.c", "p"); err == nil {
			t.Errorf("read %q without an error", bad)
		}
	}
}
