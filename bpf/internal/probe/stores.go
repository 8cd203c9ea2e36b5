package probe

import (
	"fmt"

	"go-slowmo.dev/bpf/internal/target"
)

// stores places a program where a runtime function stores one value in a
// variable, a change no function of its own says: inlined stores, or calls
// to the setter where it has a symbol (target.Writes).
type stores struct {
	variable, setter string
	value            int64
}

// gcphase is a change of the GC phase to value (the runtime's _GCoff 0,
// _GCmark 1, _GCmarktermination 2), made by runtime.setGCPhase, which every
// supported Go inlines: the one moment the phase changes, inside the stop
// of the world it belongs to, where the functions around it are entered
// whether or not a cycle starts and return after the world runs again.
func gcphase(value int64) *stores {
	return &stores{variable: "runtime.gcphase", setter: "runtime.setGCPhase", value: value}
}

// resolveWrites places a site with writes set: at each store of its value.
func resolveWrites(bin *target.Binary, s site) (placed, error) {
	ws, err := bin.Writes(s.function, s.writes.variable, s.writes.setter)
	if err != nil {
		return placed{}, err
	}
	var pl placed
	for _, w := range ws {
		if w.Value == s.writes.value {
			pl.at = append(pl.at, w.Site)
			pl.in = append(pl.in, w.Func)
			pl.cookies = append(pl.cookies, 0)
		}
	}
	if len(pl.at) == 0 {
		return pl, fmt.Errorf("%s: %s stores no %d in %s (%s)", bin.Path, s.function, s.writes.value, s.writes.variable, bin.GoVersion)
	}
	pl.fn = pl.in[0]
	return pl, nil
}
