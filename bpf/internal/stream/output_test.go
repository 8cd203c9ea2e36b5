package stream

import (
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// reads hands out its text in reads of the given sizes, as a pipe does when
// the writer is faster than the reader.
type reads struct {
	text  string
	sizes []int
}

func (r *reads) Read(p []byte) (int, error) {
	if r.text == "" {
		return 0, io.EOF
	}
	n := min(len(p), len(r.text))
	if len(r.sizes) > 0 {
		n = min(n, r.sizes[0])
		r.sizes = r.sizes[1:]
	}
	copy(p, r.text[:n])
	r.text = r.text[n:]
	return n, nil
}

// A character split between two reads arrives whole: every piece handed on
// is valid UTF-8, and together they are what was written.
func TestReadOutputKeepsCharactersWhole(t *testing.T) {
	cases := map[string]struct {
		text  string
		sizes []int
	}{
		"é across 4096":      {strings.Repeat("a", 4095) + "é and more\n", nil},
		"€ cut after 1 byte": {"x€y", []int{2, 100}},
		"€ cut after 2":      {"x€y", []int{3, 100}},
		"🙂 cut byte by byte": {"🙂🙂", []int{1, 1, 1, 1, 1, 1, 1, 1}},
		"a cut char at EOF":  {"ab\xe2\x82", nil},
		"invalid bytes":      {"a\xff\xfeb\x80", []int{2, 1, 1, 1}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			ReadOutput(&reads{c.text, c.sizes}, func(data string) { got = append(got, data) })
			if all := strings.Join(got, ""); all != c.text {
				t.Fatalf("read %q, want %q", all, c.text)
			}
			if !utf8.ValidString(c.text) {
				return
			}
			for i, piece := range got {
				if !utf8.ValidString(piece) {
					t.Errorf("piece %d of %d splits a character: %q...%q", i, len(got),
						piece[:min(len(piece), 4)], piece[max(0, len(piece)-4):])
				}
			}
		})
	}
}

// Output whose events never come is held up to MaxHeld, not without end;
// what goes out early goes out in order and whole.
func TestOutputHoldsBoundedBytes(t *testing.T) {
	var sent strings.Builder
	o := &Output{Emit: func(_ uint64, _, data string) { sent.WriteString(data) }}
	chunk := strings.Repeat("x", 4096)
	var wrote strings.Builder
	for i := 0; i < 4096; i++ { // 16 MiB, with no event ever flushing it
		s := chunk[:4000] + string(rune('a'+i%26)) + chunk[:95]
		wrote.WriteString(s)
		o.Add(uint64(i+1), "stdout", s)
		if o.held > MaxHeld {
			t.Fatalf("after %d writes %d bytes held, more than %d", i+1, o.held, MaxHeld)
		}
	}
	o.Flush(^uint64(0))
	if sent.String() != wrote.String() {
		t.Fatalf("sent %d bytes, not the %d written in order", sent.Len(), wrote.Len())
	}
}

// The limit is applied as output arrives, once, whether or not it was sent.
func TestOutputLimitAsItArrives(t *testing.T) {
	hits := 0
	o := &Output{Limit: 10_000, OnLimit: func() { hits++ }, Emit: func(uint64, string, string) {}}
	for i := 0; i < 2; i++ {
		o.Add(uint64(i), "stdout", strings.Repeat("x", 5_000))
	}
	if hits != 0 {
		t.Fatalf("hit the limit at %d bytes, which it allows", o.Written())
	}
	o.Add(3, "stderr", "!")
	o.Add(4, "stdout", strings.Repeat("x", 5_000))
	if hits != 1 {
		t.Fatalf("OnLimit called %d times past the limit, want once", hits)
	}
}
