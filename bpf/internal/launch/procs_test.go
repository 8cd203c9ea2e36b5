package launch

import "testing"

func TestStatFields(t *testing.T) {
	// A command name may hold spaces and parentheses: fields count from the last ')'.
	stat := []byte("4242 (a) b (c) R 1 4242 4242 0 -1 4194560 90 0 0 0 731 12 0 0 20 0 3 0 99 0 0")
	if f := statFields(stat); len(f) == 0 || f[0] != "R" {
		t.Fatalf("statFields = %q, want the state R first", f)
	}
	if got, ok := utime(stat); !ok || got != 731 {
		t.Fatalf("utime = %d, %v; want 731, true", got, ok)
	}
	if _, ok := utime([]byte("4242 (cut")); ok {
		t.Fatal("utime read a line with no ')'")
	}
}
