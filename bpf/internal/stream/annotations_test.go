package stream

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipCutsAtACharacterBoundary(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc"},
		{"ab€", 4, "ab"},        // € is 3 bytes: cut inside it
		{"ab€", 5, "ab€"},       // the whole string fits
		{"a€b", 4, "a€"},        // cut right after it
		{"a\xffbc", 2, "a\xff"}, // an invalid byte is a character of its own
		{"😀😀", 6, "😀"},
	} {
		if got := Clip(c.s, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
	}
	long := strings.Repeat("é", UserMessageMax)
	if got := Clip(long, UserMessageMax); len(got) > UserMessageMax || !utf8.ValidString(got) || len(got) < UserMessageMax-1 {
		t.Errorf("Clip of %d bytes: %d bytes, valid %v", len(long), len(got), utf8.ValidString(got))
	}
}

// recorder collects what Annotations sends, one line per event.
type recorder []string

func (r *recorder) send(kind string, fields ...Field) {
	line := kind
	for _, f := range fields {
		line += fmt.Sprintf(" %s=%v", f.Name, f.Value)
	}
	*r = append(*r, line)
}

func TestAnnotationsNestRegionsPerGoroutine(t *testing.T) {
	var got recorder
	a := NewAnnotations()
	a.TaskBegin(got.send, 1, 0, "request")
	a.RegionBegin(got.send, 7, 1, "outer")
	a.RegionBegin(got.send, 8, 1, "other goroutine")
	a.RegionBegin(got.send, 7, 1, "inner")
	a.Log(got.send, 1, "stage", "one")
	a.RegionEnd(got.send, 7)
	a.RegionEnd(got.send, 7)
	a.RegionEnd(got.send, 7) // nothing open: unsaid
	a.TaskEnd(got.send, 1)
	a.TaskEnd(got.send, 9) // never begun
	want := []string{
		"user.task begin=true task=1 parent=0 name=request",
		"user.region begin=true task=1 name=outer depth=0",
		"user.region begin=true task=1 name=other goroutine depth=0",
		"user.region begin=true task=1 name=inner depth=1",
		"user.log task=1 category=stage message=one",
		"user.region begin=false task=1 name=inner depth=1",
		"user.region begin=false task=1 name=outer depth=0",
		"user.task begin=false task=1 parent=0 name=request",
		"user.task begin=false task=9 parent=0 name=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnnotationsBoundWhatAProgramControls(t *testing.T) {
	var got recorder
	a := NewAnnotations()
	for i := 0; i < UserDepthMax+3; i++ {
		a.RegionBegin(got.send, 5, 0, "r")
	}
	if len(got) != UserDepthMax {
		t.Fatalf("%d regions begun past the depth limit were sent: %d events", UserDepthMax+3, len(got))
	}
	got = nil
	for i := 0; i < UserDepthMax+3; i++ {
		a.RegionEnd(got.send, 5)
	}
	if len(got) != UserDepthMax || !strings.HasSuffix(got[0], "depth=63") || !strings.HasSuffix(got[len(got)-1], "depth=0") {
		t.Fatalf("ends: %d, first %q", len(got), got[0])
	}
	got = nil
	a.TaskBegin(got.send, maxTaskID+1, 0, "made up")
	a.Log(got.send, maxTaskID+1, "", "")
	a.RegionBegin(got.send, 5, maxTaskID+1, "hidden")
	a.RegionBegin(got.send, 5, 2, "shown")
	a.RegionEnd(got.send, 5)
	a.RegionEnd(got.send, 5)
	want := "user.region begin=true task=2 name=shown depth=1|user.region begin=false task=2 name=shown depth=1"
	if strings.Join(got, "|") != want {
		t.Errorf("ids out of range: got %q", got)
	}
	got = nil
	a.TaskBegin(got.send, 3, 0, strings.Repeat("n", 300))
	a.Log(got.send, 3, strings.Repeat("c", 300), strings.Repeat("m", 3000))
	if len(got[0]) != len("user.task begin=true task=3 parent=0 name=")+UserNameMax ||
		len(got[1]) != len("user.log task=3 category= message=")+UserNameMax+UserMessageMax {
		t.Errorf("strings not cut: %d, %d bytes", len(got[0]), len(got[1]))
	}
}
