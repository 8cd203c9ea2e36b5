// Package gccheck checks the GC phases of a recorded stream against the
// runtime's own rules, for both backends' tests: each phase is set with the
// world stopped (mark in the stop for sweep termination, mark termination
// and off in the stop for mark termination), in the runtime's order, and
// every stop for sweep termination starts a cycle that marks.
package gccheck

import (
	_ "embed"
	"fmt"
	"strings"
)

// Program is a Go program whose run holds several GC cycles, started by
// allocation on every P at once and by runtime.GC.
//
//go:embed testdata/gc.go
var Program []byte

// The stops of the world that belong to a cycle (runtime.stwReasonStrings).
const (
	sweepTermination = "GC sweep termination"
	markTermination  = "GC mark termination"
)

// Each phase: the one before it in a cycle, and the stop of the world it is set in.
var rules = map[string]struct{ after, in string }{
	"sweepterm":       {after: "off"},
	"mark":            {after: "sweepterm", in: sweepTermination},
	"marktermination": {after: "mark", in: markTermination},
	"off":             {after: "marktermination", in: markTermination},
}

// Check reads events (decoded JSON objects, in order) and returns how many
// whole cycles (sweepterm to off) they hold and what breaks the rules, each
// said with its seq. A sweepterm comes just before its stop of the world
// begins; a stop for mark termination may end with no phase change (the
// runtime found more work and marks on).
func Check(events []map[string]any) (cycles int, problems []string) {
	phase := "off"
	stw := ""           // the reason of the stop under way, "" when the world runs
	marked := false     // the stop under way is for sweep termination and mark was set in it
	sweepPending := -1. // the seq of a sweepterm whose stop has not begun yet
	bad := func(e map[string]any, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("seq %v: ", e["seq"])+fmt.Sprintf(format, args...))
	}
	for _, e := range events {
		kind, _ := e["kind"].(string)
		switch kind {
		case "gc":
			p, _ := e["phase"].(string)
			r, ok := rules[p]
			switch {
			case !ok:
				bad(e, "unknown phase %q", p)
				continue
			case sweepPending >= 0:
				bad(e, "%s before the stop of the world of the sweepterm at seq %v", p, sweepPending)
			case phase != r.after:
				bad(e, "%s after %s", p, phase)
			case stw != r.in:
				bad(e, "%s set in %s, want %s", p, where(stw), where(r.in))
			}
			phase = p
			switch p {
			case "sweepterm":
				sweepPending, _ = e["seq"].(float64)
			case "mark":
				marked = true
			case "off":
				cycles++
			}
		case "stw":
			begin, _ := e["begin"].(bool)
			reason, _ := e["reason"].(string)
			if begin {
				if stw != "" {
					bad(e, "the world stops (%s) while stopped (%s)", reason, stw)
				}
				if (reason == sweepTermination) != (sweepPending >= 0) {
					bad(e, "the world stops (%s) with sweepterm at seq %v (-1: none)", reason, sweepPending)
				}
				stw, marked, sweepPending = reason, false, -1
				continue
			}
			if stw == sweepTermination && !marked {
				bad(e, "the stop for sweep termination ends without mark")
			}
			stw = ""
		}
	}
	return cycles, problems
}

func where(stw string) string {
	if stw == "" {
		return "no stop of the world"
	}
	return "the stop of the world for " + strings.TrimPrefix(stw, "GC ")
}
