package stream

import (
	"sync"
	"time"
)

// Pauses is the account of a program's stops for back-pressure, which both
// backends make when their reader is slower than the program (the eBPF
// probes stop it on a full ring buffer, the tracer's helper on a full
// pipe; probe/backpressure.go, trace/throttle.go). It adds up the time
// stopped, which is the recorder's and not the program's (run.end's
// throttledMs; Ending.Uncounted), tells a watcher as the program stops and
// goes on, and looks at the program every so often, as the backend says
// how. Safe for concurrent use.
type Pauses struct {
	report func(running bool) // nil: nobody asked

	mu      sync.Mutex
	total   time.Duration // stops that are over
	since   uint64        // when the stop under way began (Monotonic); 0: none
	stops   int
	running bool // what report was last told
	over    bool // the program has ended
	polling bool
	done    chan struct{}
	ended   chan struct{}
}

// NewPauses starts the account of a running program. report, when not nil,
// is told as the program stops running (a stop, its end: false) and goes
// on (true), once per change.
func NewPauses(report func(running bool)) *Pauses {
	return &Pauses{report: report, running: true, done: make(chan struct{}), ended: make(chan struct{})}
}

// Poll calls look every period until Close.
func (s *Pauses) Poll(period time.Duration, look func()) {
	s.mu.Lock()
	s.polling = true
	s.mu.Unlock()
	go func() {
		defer close(s.ended)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-tick.C:
				look()
			}
		}
	}()
}

// Stop notes a stop that began at since (Monotonic's clock), unless one is under way.
func (s *Pauses) Stop(since uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.since != 0 || s.over {
		return
	}
	s.since = since
	s.stops++
	s.say(false)
}

// Go notes that the program was continued.
func (s *Pauses) Go() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count()
	if !s.over {
		s.say(true)
	}
}

// End notes that the program is gone: a stop under way (it was killed
// while stopped) counts up to now.
func (s *Pauses) End() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count()
	s.over = true
	s.say(false)
}

// Ended says whether End was called.
func (s *Pauses) Ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.over
}

func (s *Pauses) count() {
	if s.since != 0 {
		s.total += time.Duration(Monotonic() - s.since)
		s.since = 0
	}
}

// say tells report of a change. Called with mu held.
func (s *Pauses) say(running bool) {
	if s.report != nil && running != s.running {
		s.report(running)
	}
	s.running = running
}

// Stopping says whether a stop is under way.
func (s *Pauses) Stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.since != 0
}

// Stopped is the time the program has spent stopped so far, the stop under way included.
func (s *Pauses) Stopped() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.total
	if s.since != 0 {
		d += time.Duration(Monotonic() - s.since)
	}
	return d
}

// Stops is how many times the program was stopped.
func (s *Pauses) Stops() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stops
}

// Close stops the polling (if any) and waits until its last look is over.
// Stopped and Stops still answer.
func (s *Pauses) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
		close(s.done)
	}
	polling := s.polling
	s.mu.Unlock()
	if polling {
		<-s.ended
	}
}
