package probe

import "sync"

// Loading is a Load under way: started before the run's target is known
// (`slowmo-probe preload`, or at the start of Run), so that the verifier's
// few hundred ms overlap the build of the program or the start of its
// sandbox instead of coming after them.
type Loading struct {
	done   chan struct{}
	probes *Probes
	err    error
	mu     sync.Mutex
	taken  bool // by Wait: the caller closes the probes
	closed bool // by Close: whoever loaded them closes them
}

// StartLoad starts loading the probes in the background.
func StartLoad() *Loading {
	l := &Loading{done: make(chan struct{})}
	go func() {
		p, err := Load()
		l.mu.Lock()
		l.probes, l.err = p, err
		if l.closed && p != nil {
			p.Close() // nobody wants them any more
		}
		l.mu.Unlock()
		close(l.done)
	}()
	return l
}

// Wait waits for the load and hands the probes over: the caller closes them.
func (l *Loading) Wait() (*Probes, error) {
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errLoadingClosed
	}
	l.taken = true
	return l.probes, l.err
}

// Settled waits for the load to end and says whether it failed, handing nothing over.
func (l *Loading) Settled() error {
	<-l.done
	return l.err
}

// Close gives up on probes not handed over by Wait (now, or when their load ends).
func (l *Loading) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.taken || l.closed {
		return
	}
	l.closed = true
	select {
	case <-l.done:
		if l.probes != nil {
			l.probes.Close()
		}
	default: // the loader closes them when it is done
	}
}

type loadingError string

func (e loadingError) Error() string { return string(e) }

const errLoadingClosed = loadingError("the preloaded probes were given up")
