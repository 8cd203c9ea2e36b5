package probe

import (
	"os"
	"strconv"

	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/sysmon"
	"go-slowmo.dev/bpf/internal/target"
)

// start gets a run ready: the target started and held at its gate, its
// binary read and the probes attached to it and following its pid. The
// sandbox starts first: it takes about as long as reading the binary and
// attaching the probes to it, which go on meanwhile. The probes record
// nothing until they follow the target's pid, known once it has started.
func start(opts Options, loading *Loading) (*recorder, error) {
	godebug := ""
	if opts.Paced {
		// See pace.go: sysmon must not preempt a goroutine just because the program was stopped.
		godebug = "asyncpreemptoff=1"
	}
	type started struct {
		h   *launch.Held
		err error
	}
	starting := make(chan started, 1)
	launched := len(opts.Launcher) > 0
	t := launch.Target{Binary: opts.Binary, Args: opts.Args, Dir: opts.Dir,
		Env:      launch.Env(launched, opts.Procs, launch.Godebug(opts.Godebug, godebug)),
		Launcher: opts.Launcher, Inside: opts.InsidePath}
	if opts.profileW != nil {
		t.Extra = []*os.File{opts.profileW}
		t.Env = append(t.Env, profile.FDEnv+"="+strconv.Itoa(launch.HeldFD(launched, 0)))
		t.Env = append(t.Env, profile.LeakEnvFor(opts.Profile, opts.Leak)...)
	}
	go func() {
		h, err := launch.StartHeld(t)
		starting <- started{h, err}
	}()
	r, err := open(opts, loading)
	s := <-starting
	if s.err != nil {
		if r != nil {
			r.close()
		}
		return nil, s.err
	}
	if err == nil {
		err = r.probes.Follow(s.h.Pid)
	}
	if err == nil {
		err = r.user.follow(s.h.Pid)
	}
	if err == nil {
		err = r.gc.follow(s.h.Pid)
	}
	if err != nil {
		// A target that will not run after all: kill it as it stands.
		s.h.Abandon()
		if r != nil {
			r.close()
		}
		return nil, err
	}
	r.held = s.h
	return r, nil
}

// open reads the target's binary and attaches the probes to it; on an
// error, what it opened is closed unless a recorder is returned.
func open(opts Options, loading *Loading) (*recorder, error) {
	bin, err := target.Open(opts.Binary)
	if err != nil {
		return nil, err
	}
	syms, err := bin.Symbols()
	if err != nil {
		bin.Close()
		return nil, err
	}
	waitReasons, err := bin.Strings("runtime.waitReasonStrings")
	if err != nil {
		bin.Close()
		return nil, err
	}
	stwReasons, _ := bin.Strings("runtime.stwReasonStrings") // only for naming; optional
	// Where sysmon keeps its records (package sysmon), read from the DWARF beside
	// the attach, in the one pass over it that serves both (runtimeStructs).
	sysmonLayout := make(chan *sysmon.Ticks, 1)
	go func() {
		_, _ = bin.Structs(runtimeStructs...)
		sysmonLayout <- sysmon.Find(bin)
	}()
	userFound := findUser(bin, syms)
	probes, err := loading.Wait()
	if err != nil {
		<-sysmonLayout
		<-userFound
		bin.Close()
		return nil, err
	}
	probes.RetSites = opts.RetSites
	err = probes.Attach(bin, opts.Paced)
	var user *userProbes
	if err == nil {
		user, err = attachUser(probes, bin, userFound)
	} else {
		<-userFound
	}
	var gc *gcProbes
	if err == nil && opts.GC {
		gc, err = attachGC(probes, bin, opts.GCMaxObjects)
	}
	began := stream.Monotonic()
	r := &recorder{opts: opts, bin: bin, probes: probes, user: user, gc: gc, sysmon: <-sysmonLayout, w: stream.NewWriter(opts.Out, began)}
	r.n = &normalizer{
		bin: bin, syms: syms, waitReasons: waitReasons, stwReasons: stwReasons,
		start: began, last: map[int64]string{}, funcs: map[[2]uint64]string{},
		goids: map[uint64]int64{}, injecting: map[uint32]*injection{}, snapshots: snapshotPolicy{all: opts.AllSnapshots},
		mstates: map[int64]string{}, pstates: map[int64]string{},
		emit: r.w.Write,
	}
	if opts.GC {
		r.n.gc = newGCHeap(bin)
		r.n.gc.atLimit = gc.detach
	}
	return r, err
}
