package probe

// snapshotPolicy decides which run queue snapshots (runq, globalq) go out.
// The probes take one after every change to a queue, up to a third of all
// records on a busy program; but the reader's reducer already models the
// queues from the other events (runQueues keeps the same model here), so a
// snapshot that equals the model tells it nothing. Those are sent only as
// samples, to let a reader check the model against the runtime:
//
//   - the first verifyFirst of a run, so that a short program (a lesson's
//     three goroutines) shows every change to its queues as seen;
//   - then one per verifyEvery other events sent: snapshots stay near
//     1/verifyEvery of the stream however many changes a program makes, and
//     every busy P is sampled in proportion to its changes. (Per P every Nth,
//     or every X ms, would not bound the share: a program whose events are
//     mostly queue changes, or a slow one, would send many.)
//   - and one whose queue holds bigChange more or fewer goroutines than when
//     it was last shown: an overflow, a steal, a batch taken from the global
//     queue are the moments worth a look (a lesson's checkpoint may ask for
//     the global queue seen full, then empty). Few: it takes that many
//     goroutines moved, by one event or many, to earn one.
//
// A snapshot that differs from the model is sent: the reducer takes it as
// authoritative, and the model here follows it too. For the global queue,
// only when the next one differs as well: any M changes it, so a snapshot
// one M takes can fall between another's record of a put and the put, or
// between its taking goroutines and the record that says so; such a race
// is gone by the next snapshot, a real difference is not.
type snapshotPolicy struct {
	all    bool // send every snapshot (Options.AllSnapshots)
	queues *runQueues
	credit int           // other events sent since the last sample, in samples' worth of verifyEvery
	shown  map[int64]int // P id (globalKey: the global queue) -> its length in the last snapshot sent
	doubt  bool          // the last global queue snapshot differed from the model, and was not sent
}

const (
	verifyFirst = 32
	verifyEvery = 50
	creditCap   = verifyFirst * verifyEvery
	bigChange   = 32
	globalKey   = -1
)

// model is the reader's model of the queues, as of the last event sent.
func (s *snapshotPolicy) model() *runQueues {
	if s.queues == nil {
		s.queues = newRunQueues()
		s.credit = creditCap
	}
	return s.queues
}

// sent keeps the model up with event e, just sent.
func (s *snapshotPolicy) sent(e *Event) {
	s.model().apply(e)
	if e.Kind != "runq" && e.Kind != "globalq" && s.credit < creditCap {
		s.credit++
	}
}

// worth says whether to send a snapshot of queue key (a P id, or
// globalKey), holding length goroutines, that the model predicted or not.
func (s *snapshotPolicy) worth(predicted bool, key int64, length int) bool {
	if s.shown == nil {
		s.shown = map[int64]int{}
	}
	switch change := length - s.shown[key]; {
	case s.all || !predicted || change >= bigChange || change <= -bigChange:
	case s.credit >= verifyEvery:
		s.credit -= verifyEvery
	default:
		return false
	}
	s.shown[key] = length
	return true
}

// worthGlobal is worth for a snapshot of the global queue: known says
// whether the model knows the whole queue (not after a snapshot that left
// some out), same whether the snapshot is what it holds.
func (s *snapshotPolicy) worthGlobal(known, same bool, length int) bool {
	switch {
	case s.all || !known:
		s.doubt = false
		return s.worth(false, globalKey, length)
	case !same && !s.doubt:
		s.doubt = true
		return false
	}
	s.doubt = false
	return s.worth(same, globalKey, length)
}
