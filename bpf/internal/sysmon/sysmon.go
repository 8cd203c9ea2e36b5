// Package sysmon resets the Go runtime's sysmon records of a stopped
// program, for both backends: their slow motion and back-pressure stop the
// program, and sysmon must not take the stop for the program's own time.
package sysmon

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"

	"go-slowmo.dev/bpf/internal/target"
)

// Ticks are a program's sysmon records. Paced mode (probe/pace.go) and
// back-pressure stop the program for as long as a person looks or its
// reader is behind, and the monotonic clock runs on meanwhile. Sysmon
// preempts the goroutine running on a P when it sees the P's scheduler tick
// unchanged for 10 ms (retake: pp.schedtick against its own record in
// pp.sysmontick), and hands off a P whose M has been in a system call as
// long: after a pause, both would happen merely because the program was
// stopped. So before each SIGCONT the probe makes sysmon's record of every P disagree with the P's
// ticks: sysmon then takes it for a new slice and starts its 10 ms afresh.
// The target is stopped while this is written, so nothing races with it.
//
// A paced run may ask for the opposite (probe.Options.SysmonSeesPauses):
// then the records are left alone and a learner sees what a program as slow
// as the pauses would get from sysmon.
type Ticks struct {
	pid        int
	allp       uint64 // address of runtime.allp, a []*p
	ticks      uint64 // p.schedtick (p.syscalltick follows)
	sched, sys uint64 // p.sysmontick.schedtick and .syscalltick, from p
}

// Find finds what it needs in the binary; nil when it cannot (a PIE binary,
// an unexpected layout). For: the program it runs as.
func Find(bin *target.Binary) *Ticks {
	allp, ok := bin.Var("runtime.allp")
	if !ok || bin.PIE() {
		return nil
	}
	structs, err := bin.Structs("runtime.p", "runtime.sysmontick")
	if err != nil {
		return nil
	}
	p, st := structs["runtime.p"], structs["runtime.sysmontick"]
	sched, ok1 := p.Fields["schedtick"]
	sys, ok2 := p.Fields["syscalltick"]
	mon, ok3 := p.Fields["sysmontick"]
	msched, ok4 := st.Fields["schedtick"]
	msys, ok5 := st.Fields["syscalltick"]
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || sys != sched+4 {
		return nil
	}
	return &Ticks{allp: allp, ticks: uint64(sched), sched: uint64(mon + msched), sys: uint64(mon + msys)}
}

func (s *Ticks) read(addr uint64, buf []byte) error {
	n, err := unix.ProcessVMReadv(s.pid, []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}},
		[]unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}, 0)
	if err == nil && n != len(buf) {
		err = fmt.Errorf("short read at %#x", addr)
	}
	return err
}

func (s *Ticks) write(addr uint64, buf []byte) error {
	n, err := unix.ProcessVMWritev(s.pid, []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}},
		[]unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}, 0)
	if err == nil && n != len(buf) {
		err = fmt.Errorf("short write at %#x", addr)
	}
	return err
}

// For is the records of the program of this binary running as pid; nil when s is.
func (s *Ticks) For(pid int) *Ticks {
	if s == nil {
		return nil
	}
	t := *s
	t.pid = pid
	return &t
}

// Reset makes sysmon start a new slice on every P when the target
// continues; the target must be stopped. Nothing when s is nil.
func (s *Ticks) Reset() error {
	if s == nil {
		return nil
	}
	le := binary.LittleEndian
	hdr := make([]byte, 16)
	if err := s.read(s.allp, hdr); err != nil {
		return err
	}
	ptr, n := le.Uint64(hdr), le.Uint64(hdr[8:])
	if ptr == 0 || n == 0 || n > 1024 {
		return nil
	}
	ps := make([]byte, 8*n)
	if err := s.read(ptr, ps); err != nil {
		return err
	}
	ticks := make([]byte, 8)
	for i := uint64(0); i < n; i++ {
		p := le.Uint64(ps[8*i:])
		if p == 0 {
			continue
		}
		if err := s.read(p+s.ticks, ticks); err != nil {
			return err
		}
		// One behind: the ticks only go up, so a later tick never matches it.
		le.PutUint32(ticks, le.Uint32(ticks)-1)
		le.PutUint32(ticks[4:], le.Uint32(ticks[4:])-1)
		if err := s.write(p+s.sched, ticks[:4]); err != nil {
			return err
		}
		if err := s.write(p+s.sys, ticks[4:]); err != nil {
			return err
		}
	}
	return nil
}

// Resetter is, for a backend that has no binary open (the trace backend),
// what resets the records of the program at binary running as pid; nil
// when that cannot be done (a PIE build, an unexpected layout, no DWARF).
func Resetter(binary string, pid int) func() error {
	bin, err := target.Open(binary)
	if err != nil {
		return nil
	}
	defer bin.Close()
	ticks := Find(bin).For(pid)
	if ticks == nil {
		return nil
	}
	return ticks.Reset
}
