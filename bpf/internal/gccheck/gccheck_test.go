package gccheck

import (
	"strings"
	"testing"
)

// stream makes events from words: a phase ("mark"), "(" and ")" for a stop
// of the world for sweep termination, "[" and "]" for mark termination.
func stream(words string) []map[string]any {
	var out []map[string]any
	for i, w := range strings.Fields(words) {
		e := map[string]any{"seq": float64(i), "kind": "gc", "phase": w}
		switch w {
		case "(", "[":
			reason := sweepTermination
			if w == "[" {
				reason = markTermination
			}
			e = map[string]any{"seq": float64(i), "kind": "stw", "begin": true, "reason": reason}
		case ")", "]":
			e = map[string]any{"seq": float64(i), "kind": "stw", "begin": false, "reason": ""}
		}
		out = append(out, e)
	}
	return out
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		words   string
		cycles  int
		problem string
	}{
		{"sweepterm ( mark ) [ marktermination off ]", 1, ""},
		// Mark termination found more work: the world runs again, marking.
		{"sweepterm ( mark ) [ ] [ marktermination off ] sweepterm ( mark ) [ marktermination off ]", 2, ""},
		{"sweepterm ( ) mark [ marktermination off ]", 1, "mark set in no stop"},
		{"sweepterm ( mark ) [ marktermination ] off", 1, "off set in no stop"},
		{"sweepterm mark sweepterm ( mark ) [ marktermination off ]", 1, "mark before the stop"},
		{"sweepterm ( mark ) [ ] marktermination off", 1, "marktermination set in no stop"},
		{"( mark ) [ marktermination off ]", 1, "with sweepterm at seq -1"},
		{"sweepterm ( ) [ marktermination off ]", 1, "ends without mark"},
		{"sweepterm ( mark ) [ off ]", 1, "off after mark"},
	} {
		cycles, problems := Check(stream(c.words))
		if cycles != c.cycles {
			t.Errorf("%q: %d cycles, want %d", c.words, cycles, c.cycles)
		}
		joined := strings.Join(problems, "; ")
		if c.problem == "" && joined != "" || !strings.Contains(joined, c.problem) {
			t.Errorf("%q: problems %q, want one with %q", c.words, joined, c.problem)
		}
	}
}
