package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
)

// oracleQueues models the run queues from the events by the reducer's rules,
// written apart from runQueues (plain lists, a goroutine looked for
// everywhere), to check it: what runQueues predicts, this must hold too.
type oracleQueues struct {
	runnext     map[int64]int64
	runq        map[int64][]int64
	global      []int64
	globalKnown bool // false after a snapshot that left some out, until a whole one
}

func newOracle() *oracleQueues {
	return &oracleQueues{runnext: map[int64]int64{}, runq: map[int64][]int64{}, globalKnown: true}
}

func (o *oracleQueues) detach(id int64) {
	for p, g := range o.runnext {
		if g == id {
			o.runnext[p] = 0
		}
	}
	for p, list := range o.runq {
		if i := slices.Index(list, id); i >= 0 {
			o.runq[p] = slices.Delete(list, i, i+1)
		}
	}
	if i := slices.Index(o.global, id); i >= 0 {
		o.global = slices.Delete(o.global, i, i+1)
	}
}

func (o *oracleQueues) pushLocal(p, id int64) {
	if len(o.runq[p]) < 256 {
		o.runq[p] = append(o.runq[p], id)
		return
	}
	o.global = append(append(o.global, o.runq[p][:128]...), id)
	o.runq[p] = slices.Clone(o.runq[p][128:])
}

func (o *oracleQueues) apply(e event) {
	switch e.kind() {
	case "g.runnable":
		id, qp := e.num("goid"), e.num("qp")
		o.detach(id)
		switch {
		case e.str("queue") == "global" || qp < 0:
			o.global = append(o.global, id)
		case e.str("queue") == "local":
			o.pushLocal(qp, id)
		default:
			kicked := o.runnext[qp]
			o.runnext[qp] = id
			if kicked != 0 && kicked != id {
				o.pushLocal(qp, kicked)
			}
		}
	case "g.running", "g.waiting", "g.exit", "g.syscall", "g.syscall.exit":
		o.detach(e.num("goid"))
	case "steal":
		goids := goidList(e, "goids")
		for _, id := range goids {
			o.detach(id)
		}
		for _, id := range goids[:max(len(goids)-1, 0)] {
			o.pushLocal(e.num("thief"), id)
		}
	case "runq":
		qp, goids, rn := e.num("qp"), goidList(e, "goids"), e.num("runnext")
		for _, id := range append(slices.Clone(goids), rn) {
			o.detach(id)
		}
		o.runnext[qp], o.runq[qp] = rn, goids
	case "globalq":
		goids := goidList(e, "goids")
		for _, id := range goids {
			o.detach(id)
		}
		o.global, o.globalKnown = goids, e.num("more") == 0
	}
}

// shows says whether snapshot e is what the oracle holds ("" if so, else how it differs).
func (o *oracleQueues) shows(e event) string {
	goids := goidList(e, "goids")
	if e.kind() == "runq" {
		qp := e.num("qp")
		if o.runnext[qp] == e.num("runnext") && slices.Equal(o.runq[qp], goids) {
			return ""
		}
		return fmt.Sprintf("P%d modelled runnext %d, queue %v; the runtime's: runnext %d, queue %v",
			qp, o.runnext[qp], o.runq[qp], e.num("runnext"), goids)
	}
	n := len(goids)
	if !o.globalKnown || (len(o.global) == n+int(e.num("more")) && slices.Equal(o.global[:n], goids)) {
		return ""
	}
	return fmt.Sprintf("global queue modelled %v; the runtime's: %v and %d more", o.global, goids, e.num("more"))
}

// toEvent turns a parsed event back into what the normalizer sent.
func toEvent(e event) *Event {
	out := &Event{Kind: e.kind()}
	for name, v := range e {
		switch v := v.(type) {
		case float64:
			out.Fields = append(out.Fields, F(name, int64(v)))
		case string:
			out.Fields = append(out.Fields, F(name, v))
		case []any:
			out.Fields = append(out.Fields, F(name, goidList(e, name)))
		}
	}
	return out
}

// snapshotCheck is what a stream's snapshots say about the model.
type snapshotCheck struct {
	events, snapshots int
	predicted         int      // snapshots the normalizer's model held already
	wrongPrediction   []string // ... while the oracle held something else
	runqDiffers       []string // runq snapshots the events before them did not imply
	globalqDiffers    int      // globalq snapshots the events before them did not imply
}

// checkStream replays events through the normalizer's model (runQueues, as
// the normalizer keeps it while it sends them) and the oracle.
func checkStream(events []event) snapshotCheck {
	var c snapshotCheck
	model, oracle := newRunQueues(), newOracle()
	for _, e := range events {
		c.events++
		if k := e.kind(); k == "runq" || k == "globalq" {
			c.snapshots++
			goids := goidList(e, "goids")
			predicted := k == "runq" && model.sameLocal(e.num("qp"), e.num("runnext"), goids) ||
				k == "globalq" && model.sameGlobal(goids, e.num("more"))
			diff := oracle.shows(e)
			switch {
			case predicted && diff != "":
				c.wrongPrediction = append(c.wrongPrediction, fmt.Sprintf("seq %d: %s", e.num("seq"), diff))
			case diff != "" && k == "runq":
				c.runqDiffers = append(c.runqDiffers, fmt.Sprintf("seq %d: %s", e.num("seq"), diff))
			case diff != "":
				c.globalqDiffers++
			}
			if predicted {
				c.predicted++
			}
		}
		model.apply(toEvent(e))
		oracle.apply(e)
	}
	return c
}

// checkPredictions checks, on a stream with every snapshot, that each one the
// normalizer's model predicted (and so would leave out by default) is what
// the oracle holds too.
func checkPredictions(t *testing.T, events []event) {
	t.Helper()
	c := checkStream(events)
	if len(c.wrongPrediction) > 0 {
		t.Errorf("%d snapshots the model predicted (so would leave out) differ from the oracle's queues; first: %v",
			len(c.wrongPrediction), c.wrongPrediction[:min(3, len(c.wrongPrediction))])
	}
	if c.predicted == 0 {
		t.Errorf("the model predicted none of %d snapshots", c.snapshots)
	}
}

// recordWith runs bin under the probes with opts and returns its events, which must end in exit without loss.
func recordWith(t *testing.T, bin string, opts Options) []event {
	t.Helper()
	var out bytes.Buffer
	opts.Binary, opts.Out = bin, &out
	if err := Run(opts); err != nil {
		t.Fatalf("run: %v", err)
	}
	var events []event
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		if e.num("seq") != int64(len(events)) {
			t.Fatalf("seq %d at position %d: gaps or disorder", e.num("seq"), len(events))
		}
		events = append(events, e)
	}
	end := events[len(events)-1]
	if end.kind() != "run.end" || end.num("exitCode") != 0 || end.str("reason") != "exit" || end.num("lost") != 0 {
		t.Fatalf("run.end: %v", end)
	}
	return events
}

// TestSnapshotsCostWhatTheyAreWorth: on busy programs, where a third or more
// of the events used to be run queue snapshots, at most 5% are now; and no
// snapshot the model (which a reader's reducer keeps alike) predicted, and so
// leaves out, differs from an oracle written apart, on a run with every
// snapshot sent (AllSnapshots). (A global queue snapshot that differs from
// the model only once is left out too, as a race between Ms: snapshots.go.)
func TestSnapshotsCostWhatTheyAreWorth(t *testing.T) {
	ebpftest.Require(t)
	all := versions(t)
	version := all[len(all)-1]
	for _, prog := range []struct {
		name  string
		procs int
	}{
		{"busyowner", 2}, // the busy owner goroutine of issue 15
		{"pingpong", 2},  // ping-pong over unbuffered channels
		{"pool", 2},      // a worker pool
		{"fanout", 2},    // waves of goroutines, and steals
		{"yield", 2},     // Gosched: the global queue
	} {
		t.Run(prog.name, func(t *testing.T) {
			bin := buildWith(t, version, prog.name)

			events := recordWith(t, bin, Options{Procs: prog.procs, AllSnapshots: true})
			checkPredictions(t, events)
			every := checkStream(events)
			if len(every.runqDiffers) > raceAllowance(every.snapshots) {
				t.Errorf("%d of %d runq snapshots were not what the events before them imply; first: %v",
					len(every.runqDiffers), every.snapshots, every.runqDiffers[:min(3, len(every.runqDiffers))])
			}
			if every.predicted*10 < every.snapshots*9 {
				t.Errorf("with every snapshot sent, the model predicted %d of %d: want 90%% or more", every.predicted, every.snapshots)
			}

			sent := checkStream(recordWith(t, bin, Options{Procs: prog.procs}))
			share := float64(sent.snapshots) / float64(sent.events)
			t.Logf("every snapshot: %d of %d events (%.1f%%), %d predicted by the model; by default: %d of %d (%.1f%%), %d globalq not implied",
				every.snapshots, every.events, 100*float64(every.snapshots)/float64(every.events), every.predicted,
				sent.snapshots, sent.events, 100*share, sent.globalqDiffers)
			if share > 0.05 {
				t.Errorf("snapshots are %.1f%% of the events (%d of %d): want at most 5%%", 100*share, sent.snapshots, sent.events)
			}
			if sent.snapshots == 0 {
				t.Errorf("no snapshot sent: want samples to check the model by")
			}
			if len(sent.wrongPrediction)+len(sent.runqDiffers) > 0 {
				t.Errorf("snapshots sent that a reader's model disagrees with: %v %v", sent.wrongPrediction, sent.runqDiffers)
			}
		})
	}
}
