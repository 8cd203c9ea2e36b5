package probe

// The records of Ps, Ms, the GC and stop-the-world.

// pstateChange: the subject of p.state is the event's p
// (docs/ARCHITECTURE.md, the event model); the M taking it is the context M.
func (n *normalizer) pstateChange(r record) {
	pid := int64(r.a[0])
	if pid < 0 {
		return
	}
	switch r.a[1] {
	case 1:
		n.pstate(r, pid, "running", r.m)
	case 0: // releasep, then pidleput: one event
		if n.pstates[pid] != "idle" {
			n.pstate(r, pid, "idle", -1)
		}
	case 2: // handoffp: news only when the P was with an M in a system call (releasep said the rest)
		if n.pstates[pid] != "idle" {
			n.pstate(r, pid, "idle", -1)
		}
	}
}

// pstate sends a p.state for P pid, in the context of record r, and remembers it.
func (n *normalizer) pstate(r record, pid int64, state string, pm int64) {
	n.pstates[pid] = state
	n.event(r.ts, "p.state", r.m, pid, r.g, F("state", state), F("pm", pm))
}

func (n *normalizer) mIdle(r record) {
	if r.m >= 0 {
		n.mstates[r.m] = "idle"
		n.event(r.ts, "m.state", r.m, -1, 0, F("state", "idle"))
	}
}

func (n *normalizer) mState(r record) {
	states := [...]string{"spinning", "running", "new"}
	if r.m < 0 || r.a[0] >= uint64(len(states)) {
		return
	}
	state := states[r.a[0]]
	if n.mstates[r.m] == state {
		return
	}
	n.mstates[r.m] = state
	n.ev(r, "m.state", F("state", state))
}

// gcPhase: the runtime changed the GC's phase (its store to gcphase, with
// the world stopped).
func (n *normalizer) gcPhase(r record) {
	phases := [...]string{1: "mark", 2: "marktermination", 3: "off"}
	if r.a[0] < uint64(len(phases)) && phases[r.a[0]] != "" {
		n.ev(r, "gc", F("phase", phases[r.a[0]]))
	}
	if r.a[0] == 1 && n.gc != nil {
		n.gc.newCycle()
	}
}

// sweepTermination is the reason of the stop of the world that begins a GC
// cycle (runtime.stwReasonStrings): sweep termination is that stop, and is
// said as it begins. Only gcStart stops the world for it, once it is sure
// to start a cycle.
const sweepTermination = "GC sweep termination"

func (n *normalizer) stw(r record) {
	if r.a[0] != 0 {
		reason := name(n.stwReasons, r.a[1], "stop-the-world")
		if reason == sweepTermination {
			n.ev(r, "gc", F("phase", "sweepterm"))
		}
		n.ev(r, "stw", F("begin", true), F("reason", reason))
	} else {
		n.ev(r, "stw", F("begin", false), F("reason", ""))
	}
}
