package probe

// The records of goroutines put on run queues or moved between them, and
// the queues' snapshots.

// put says where runqput put a goroutine, and why it was made runnable
// (runqput does not say: from what it was doing before). A put that would
// overflow the reader's model waits (holds.go).
func (n *normalizer) put(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	queue := "local"
	if r.a[2] != 0 {
		queue = "runnext"
	}
	reason := "other"
	switch n.last[goid] {
	case "create":
		reason = "create"
	case "waiting":
		reason = "ready"
	case "syscall", "syscall.nop":
		reason = "syscall"
	}
	n.last[goid] = "runnable"
	fields := []Field{F("goid", goid), F("queue", queue), F("qp", int64(r.a[1])), F("reason", reason)}
	// Put by ready (a[3]): r.g woke it, and r.stack is where r.g was.
	if r.a[3] != 0 && waker(reason, r.g, goid) {
		fields = append(fields, F("by", r.g))
		if at := n.wakerSite(r.stack); at.ok {
			fields = append(fields, F("file", at.file), F("line", at.line))
		}
	}
	if n.holdPut(r, goid, fields) {
		return
	}
	n.event(r.ts, "g.runnable", r.m, r.p, r.g, fields...)
}

// overflow says runqputslow's move, once it happened: the older half of
// a P's queue, then the goroutine being put, to the global queue. h is the
// put that led to it when it was held back (holds.go): said with it.
func (n *normalizer) overflow(r record, h *heldPut) {
	last := len(r.goids) - 1
	for i, id := range r.goids {
		if id <= 0 {
			continue
		}
		goid := int64(id)
		n.last[goid] = "runnable"
		if h != nil && !h.next && i == last && goid == h.goid {
			// The put's own goroutine, as it was put, but to the global queue.
			n.event(r.ts, "g.runnable", h.put.m, h.put.p, h.put.g, toGlobal(h.fields)...)
			continue
		}
		n.event(r.ts, "g.runnable", r.m, r.p, r.g, F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", "overflow"))
	}
	// A put to runnext kicked the old one into the overflow: the put itself comes after.
	if h != nil && (h.next || last < 0 || int64(r.goids[last]) != h.goid) {
		n.event(r.ts, "g.runnable", h.put.m, h.put.p, h.put.g, h.fields...)
	}
}

// toGlobal is a put's fields with the global queue for its place.
func toGlobal(fields []Field) []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		switch f.Name {
		case "queue":
			f = F("queue", "global")
		case "qp":
			f = F("qp", int64(-1))
		}
		out[i] = f
	}
	return out
}

// stole says a steal: what the thief took from the victim's queue, head first.
func (n *normalizer) stole(r record) {
	if len(r.goids) == 0 {
		return
	}
	goids := make([]int64, 0, len(r.goids))
	for _, id := range r.goids {
		if id > 0 {
			goids = append(goids, int64(id))
		}
	}
	n.ev(r, "steal", F("thief", int64(r.a[0])), F("victim", int64(r.a[1])), F("goids", goids))
	n.stolenFrom(int64(r.a[1]))
}

// batched: Go 1.25+, findRunnable moved these from the global queue to the
// tail of P's queue (runqputbatch; before 1.25, runqput said so).
func (n *normalizer) batched(r record) {
	qp := int64(r.a[0])
	for _, id := range n.goidsOf(r.goids) {
		n.last[id] = "runnable"
		n.ev(r, "g.runnable", F("goid", id), F("queue", "local"), F("qp", qp), F("reason", "other"))
	}
}

// globalPut is globrunqput, inlined where it is called: so far only
// exitsyscall0's (a[1] = 1), after the g.syscall.exit without a P said before.
func (n *normalizer) globalPut(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	n.last[goid] = "runnable"
	n.ev(r, "g.runnable", F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", "syscall"))
}

// yielded: goschedImpl put a goroutine that yielded or was preempted on the global queue.
func (n *normalizer) yielded(r record) {
	goid := int64(r.a[0])
	if goid <= 0 {
		return
	}
	reason := "yield"
	if r.a[1] != 0 {
		reason = "preempt"
	}
	n.last[goid] = "runnable"
	n.ev(r, "g.runnable", F("goid", goid), F("queue", "global"), F("qp", int64(-1)), F("reason", reason))
}

// runqSnapshot: one P's local queue after a change; not sent when it is
// unsettled (a[3]: read while another M was stealing from that P, so it may
// show the steal before the steal event, or miss one already reported), nor
// when the events sent already say as much (snapshotPolicy).
func (n *normalizer) runqSnapshot(r record) {
	pid := int64(r.a[0])
	if pid < 0 || r.a[3] != 0 {
		return
	}
	runnext := n.goids[r.a[1]]
	goids := n.goidsOf(r.goids)
	length := len(goids)
	if runnext != 0 {
		length++
	}
	if !n.snapshots.worth(n.snapshots.model().sameLocal(pid, runnext, goids), pid, length) {
		return
	}
	n.ev(r, "runq", F("qp", pid), F("runnext", runnext), F("goids", goids))
}

func (n *normalizer) globalqSnapshot(r record) {
	if r.a[2] == 0 { // the list moved while the probe walked it
		return
	}
	goids := n.goidsOf(r.goids)
	more := int64(r.a[0]) - int64(len(r.goids))
	if more < 0 {
		more = 0
	}
	model := n.snapshots.model()
	known, same := model.more == 0, model.sameGlobal(goids, more)
	// Unless every snapshot is asked for, one that leaves some out and
	// agrees with the model is not sent (a reader would have to forget
	// the rest, which the model knows), nor one the model is merely
	// behind (takes from the queue not said yet).
	if !n.snapshots.all && (more > 0 && known && same || model.behindGlobal(goids, more)) {
		return
	}
	if !n.snapshots.worthGlobal(known, same, len(goids)+int(more)) {
		return
	}
	if more > 0 {
		n.ev(r, "globalq", F("goids", goids), F("more", more))
	} else {
		n.ev(r, "globalq", F("goids", goids))
	}
}
