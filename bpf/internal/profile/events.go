package profile

import (
	"sort"
	"unicode/utf8"

	"go-slowmo.dev/bpf/internal/stream"
)

// valueTypes are the sample types each profile's events count (runtime/pprof
// also counts samples or contentions beside them).
var valueTypes = map[string]string{"cpu": "cpu", "block": "delay", "mutex": "delay", "goroutine": "goroutine", "wall": "wall"}

// Fields are a `profile` event's fields for p (kernel-bridge's
// protocol/profile.ts): its distinct frames and its samples, leaf first,
// those of greatest value first, within the protocol's bounds (truncated
// says some were left out).
func Fields(p Profile) []stream.Field {
	unit := "nanoseconds"
	if p.Kind == "goroutine" {
		unit = "count"
	}
	vi := len(p.SampleType) - 1
	for i, t := range p.SampleType {
		if t.Type == valueTypes[p.Kind] {
			vi = i
		}
	}
	type sample struct {
		lines [][3]any // fn, file, line
		value int64
	}
	var samples []sample
	for _, s := range p.Sample {
		if vi < 0 || vi >= len(s.Value) || s.Value[vi] <= 0 {
			continue
		}
		var lines [][3]any
		for _, l := range s.Location {
			for _, ln := range l.Line {
				fn, file := "", ""
				if ln.Function != nil {
					fn, file = ln.Function.Name, ln.Function.Filename
				}
				lines = append(lines, [3]any{cut(fn), cut(file), max(ln.Line, 0)})
			}
		}
		if len(lines) > 0 {
			samples = append(samples, sample{lines, s.Value[vi]})
		}
	}
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].value > samples[j].value })

	frames := []stream.ProfileFrame{}
	index := map[[3]any]int{}
	out := []stream.ProfileSample{}
	truncated := false
	for _, s := range samples {
		if len(out) == stream.ProfileSamplesMax {
			truncated = true
			break
		}
		if len(s.lines) > stream.ProfileStackMax {
			s.lines, truncated = s.lines[:stream.ProfileStackMax], true
		}
		added := 0
		for _, k := range s.lines {
			if _, ok := index[k]; !ok {
				added++
			}
		}
		if len(frames)+added > stream.ProfileFramesMax {
			truncated = true
			continue
		}
		stack := make([]int, len(s.lines))
		for i, k := range s.lines {
			at, ok := index[k]
			if !ok {
				at = len(frames)
				index[k] = at
				frames = append(frames, stream.ProfileFrame{Fn: k[0].(string), File: k[1].(string), Line: k[2].(int64)})
			}
			stack[i] = at
		}
		out = append(out, stream.ProfileSample{Stack: stack, Value: float64(s.value)})
	}
	return []stream.Field{
		stream.F("profile", p.Kind), stream.F("unit", unit), stream.F("frames", frames),
		stream.F("samples", out), stream.F("truncated", truncated),
	}
}

// cut cuts a name to the protocol's bound at a character boundary (bytes of
// UTF-8, never more UTF-16 units than bytes).
func cut(s string) string {
	if len(s) <= stream.ProfileNameMax {
		return s
	}
	n := stream.ProfileNameMax
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
