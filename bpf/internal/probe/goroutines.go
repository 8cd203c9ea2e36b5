package probe

// The records of a goroutine's own life: created, running, parked, gone, in
// and out of system calls, at a new line.

func (n *normalizer) created(r record) {
	goid, gopc, startpc := int64(r.a[0]), r.a[2], r.a[3]
	if goid <= 0 {
		return
	}
	file, line, _ := n.syms.Line(gopc - 1)
	n.last[goid] = "create"
	n.ev(r, "g.create", F("goid", goid), F("parent", int64(r.a[1])), F("fn", n.startFunc(startpc, line)),
		F("file", file), F("line", line))
}

func (n *normalizer) running(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	n.last[goid] = "running"
	n.ev(r, "g.running", F("goid", goid), F("inheritTime", r.a[1] != 0))
}

func (n *normalizer) parked(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	n.last[goid] = "waiting"
	fields := []Field{F("goid", goid), F("reason", name(n.waitReasons, r.a[1], "wait reason"))}
	if file, line, ok := n.syms.UserFrame(r.stack); ok {
		fields = append(fields, F("file", file), F("line", line))
	}
	n.ev(r, "g.waiting", fields...)
}

func (n *normalizer) exited(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	// Forgotten, not marked dead: goids are never reused, and a program
	// that starts goroutines without end would grow the map without end.
	delete(n.last, goid)
	if n.user != nil {
		n.user.Exit(goid) // the regions it left open end with it
	}
	n.ev(r, "g.exit", F("goid", goid))
}

func (n *normalizer) syscall(r record) {
	if r.g <= 0 {
		return
	}
	n.last[r.g] = "syscall"
	n.ev(r, "g.syscall", F("goid", r.g))
	if n.bin.Minor < 26 && r.p >= 0 {
		// Before 1.26 the P stays with the M in the _Psyscall state, for
		// the M to take back on return unless sysmon retakes it (handoffp).
		n.pstate(r, r.p, "syscall", r.m)
	}
}

func (n *normalizer) syscallExit(r record) {
	// Leaving without a P (a[0] = 1) is said when it happens; exitsyscall
	// itself returns only once the goroutine runs again, which g.running said.
	if r.g <= 0 || n.last[r.g] != "syscall" {
		return
	}
	if r.a[0] == 1 {
		n.last[r.g] = "syscall.nop"
		n.event(r.ts, "g.syscall.exit", r.m, -1, 0, F("goid", r.g))
		return
	}
	n.last[r.g] = "running"
	n.ev(r, "g.syscall.exit", F("goid", r.g))
	if r.p >= 0 && n.pstates[r.p] != "running" {
		n.pstate(r, r.p, "running", r.m) // took its P back (before 1.26, out of _Psyscall)
	}
}

func (n *normalizer) line(r record) {
	if r.g <= 0 {
		return
	}
	if file, line, _ := n.syms.Line(r.a[0]); line > 0 {
		n.ev(r, "line", F("goid", r.g), F("file", file), F("line", line))
	}
}

// waker says whether goroutine g, in whose context goroutine id was made
// runnable, woke it: a wake-up (reason ready) by a goroutine other than id.
// Not g0 (the scheduler's timers, the poller), nor a goroutine that merely
// runs while the runtime puts id back for another reason.
func waker(reason string, g, id int64) bool {
	return reason == "ready" && g > 0 && g != id
}

// userSite is where in user code a stack was, if it was.
type userSite struct {
	file string
	line int
	ok   bool
}

// wakerSite is the user frame of a waker's stack, remembered per stack: a
// program wakes goroutines from a few places, again and again, and finding
// one costs a line table lookup per frame, too slow for the reader to keep
// up with a ping-pong.
func (n *normalizer) wakerSite(stack []uint64) userSite {
	var key [wakerDepth]uint64
	copy(key[:], stack)
	if at, ok := n.wakers[key]; ok {
		return at
	}
	var at userSite
	at.file, at.line, at.ok = n.syms.UserFrame(stack)
	if n.wakers == nil {
		n.wakers = map[[wakerDepth]uint64]userSite{}
	}
	n.wakers[key] = at
	return at
}

// wokenBy adds `by` to a g.runnable of goroutine id made in goroutine g's context, when g woke it.
func wokenBy(reason string, g, id int64, fields ...Field) []Field {
	if waker(reason, g, id) {
		return append(fields, F("by", g))
	}
	return fields
}

// startFunc names the function a goroutine starts in (a wrapper by what it
// wraps), once per start pc and go line.
func (n *normalizer) startFunc(pc uint64, goLine int) string {
	key := [2]uint64{pc, uint64(goLine)}
	if name, ok := n.funcs[key]; ok {
		return name
	}
	name := n.bin.StartFunc(n.syms, pc, goLine)
	n.funcs[key] = name
	return name
}
