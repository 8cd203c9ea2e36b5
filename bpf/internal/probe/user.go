package probe

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"go-slowmo.dev/bpf/internal/stream"
	"go-slowmo.dev/bpf/internal/target"
)

// The probes on the program's own runtime/trace annotations (c/user.bpf.c),
// built by the Makefile beside slowmo.bpf.o (never committed).
//
//go:embed user.bpf.o
var userObject []byte

// user.bpf.c's record kinds (its enum user_kind; user_test.go checks them
// against the C), after slowmo.bpf.c's.
const (
	kUserTask      = 64 // a: task id, parent id, name length; name
	kUserTaskEnd   = 65 // a: task id
	kUserRegion    = 66 // a: task id, 0, name length; name
	kUserRegionEnd = 67 // the goroutine's innermost region ended
	kUserLog       = 68 // a: task id, 0, category length, message length; category, message
)

// userProbes are user.bpf.c's probes for one target binary: loaded only
// when the binary links runtime/trace's annotations, and writing into the
// scheduler probes' ring buffer, so that their records come in order among
// theirs. They stop nothing (no pace, no back-pressure of their own: the
// scheduler's probes stop the program when the ring fills); what finds the
// ring full is counted in their own lost.
type userProbes struct {
	coll  *ebpf.Collection
	links []link.Link
}

// userFields are the runtime's fields the probes read, as (C variable, struct, field).
var userFields = []struct{ variable, structName, field string }{
	{"off_g_goid", "runtime.g", "goid"}, {"off_g_m", "runtime.g", "m"},
	{"off_m_id", "runtime.m", "id"}, {"off_m_p", "runtime.m", "p"}, {"off_p_id", "runtime.p", "id"},
}

// userSites is what findUser found.
type userSites struct {
	a   target.Annotations
	err error
}

// findUser looks for bin's annotation sites in the background: for a
// program that links runtime/trace it takes a pass over the DWARF's types
// (tens of ms), which goes on while the scheduler's probes attach.
func findUser(bin *target.Binary, syms *target.Symbols) <-chan userSites {
	found := make(chan userSites, 1)
	go func() {
		a, err := bin.Annotations(syms)
		found <- userSites{a, err}
	}()
	return found
}

// attachUser loads and attaches the annotation probes for bin when it has
// annotations to see (nil, nil when it has none), beside the scheduler's
// probes p, which must be attached already (their layout is read).
func attachUser(p *Probes, bin *target.Binary, found <-chan userSites) (*userProbes, error) {
	s := <-found
	a, err := s.a, s.err
	if err != nil || !a.Has() {
		return nil, err
	}
	u, err := loadUser(p, a)
	if err != nil {
		return nil, err
	}
	if err := u.setLayout(bin); err != nil {
		u.close()
		return nil, err
	}
	ex, err := link.OpenExecutable(bin.Path)
	if err == nil {
		err = u.attach(ex, a, p.multi)
	}
	if err != nil {
		u.close()
		return nil, err
	}
	return u, nil
}

// loadUser loads user.bpf.c with the scheduler probes' ring buffer and a's
// addresses (the variables that need no layout).
func loadUser(p *Probes, a target.Annotations) (*userProbes, error) {
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(userObject))
	if err != nil {
		return nil, fmt.Errorf("read the embedded annotation probes: %w", err)
	}
	events := p.coll.Maps["events"]
	spec.Maps["events"].MaxEntries = events.MaxEntries()
	if p.multi {
		for _, ps := range spec.Programs {
			ps.AttachType = ebpf.AttachTraceUprobeMulti
		}
	}
	parents := make([]uint64, 8)
	copy(parents, a.ParentCtx)
	for name, v := range map[string]any{"addr_tracing_enabled": a.Enabled, "type_value_ctx": a.ValueCtx,
		"type_task_key": a.TaskKey, "type_parent_ctx": parents} {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("set the annotation probes' %s: %w", name, err)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		MapReplacements: map[string]*ebpf.Map{"events": events}})
	if err != nil {
		return nil, fmt.Errorf("load the annotation probes: %w", err)
	}
	return &userProbes{coll: coll}, nil
}

// setLayout gives the probes the offsets of the fields they read.
func (u *userProbes) setLayout(bin *target.Binary) error {
	structs, err := bin.Structs("runtime.g", "runtime.m", "runtime.p")
	if err != nil {
		return err
	}
	for _, f := range userFields {
		off, err := structs[f.structName].Offset(f.field)
		if err != nil {
			return fmt.Errorf("%s (%s): %w", bin.Path, bin.GoVersion, err)
		}
		if err := u.set(f.variable, uint64(off)); err != nil {
			return err
		}
	}
	return nil
}

func (u *userProbes) set(name string, v any) error {
	vr, ok := u.coll.Variables[name]
	if !ok {
		return fmt.Errorf("the annotation probes have no variable %s", name)
	}
	if err := vr.Set(v); err != nil {
		return fmt.Errorf("set the annotation probes' %s: %w", name, err)
	}
	return nil
}

// attach puts each program at its sites: one uprobe_multi link a program
// where the kernel has them, else a uprobe a site.
func (u *userProbes) attach(ex *link.Executable, a target.Annotations, multi bool) error {
	for prog, sites := range map[string][]target.Site{
		"user_task": {a.TaskCreate}, "user_task_end": {a.TaskEnd}, "user_region": {a.Region},
		"user_log": {a.Log}, "user_start_region": {a.StartRegion}, "user_region_end": a.Ends,
	} {
		var syms []string
		var offs []uint64
		for _, s := range sites {
			if s.Addr != 0 {
				syms, offs = append(syms, s.Func.Name), append(offs, s.Offset())
			}
		}
		if len(syms) == 0 {
			continue
		}
		if multi {
			l, err := ex.UprobeMulti(syms, u.coll.Programs[prog], &link.UprobeMultiOptions{Offsets: offs})
			if err != nil {
				return fmt.Errorf("attach %s to %v: %w", prog, syms, err)
			}
			u.links = append(u.links, l)
			continue
		}
		for i := range syms {
			l, err := ex.Uprobe(syms[i], u.coll.Programs[prog], &link.UprobeOptions{Offset: offs[i]})
			if err != nil {
				return fmt.Errorf("attach %s at %s+%#x: %w", prog, syms[i], offs[i], err)
			}
			u.links = append(u.links, l)
		}
	}
	return nil
}

// follow makes the probes record the process tgid (see Probes.Follow).
func (u *userProbes) follow(tgid int) error {
	if u == nil {
		return nil
	}
	return u.set("target_tgid", uint32(tgid))
}

// lost is how many of their records found the ring buffer full.
func (u *userProbes) lost() (uint64, error) {
	var n uint64
	if u == nil {
		return 0, nil
	}
	err := u.coll.Variables["lost"].Get(&n)
	return n, err
}

func (u *userProbes) close() {
	if u == nil {
		return
	}
	closeAll(u.links)
	u.links = nil
	u.coll.Close()
}

// The normalizer's side: records to user.* events, through the same
// stream.Annotations as the trace backend's.

// annotations is the run's, made at its first record.
func (n *normalizer) annotations() *stream.Annotations {
	if n.user == nil {
		n.user = stream.NewAnnotations()
	}
	return n.user
}

// sendOf sends events in the context of record r.
func (n *normalizer) sendOf(r record) stream.Send {
	return func(kind string, fields ...stream.Field) { n.ev(r, kind, fields...) }
}

func (n *normalizer) userTask(r record) {
	n.annotations().TaskBegin(n.sendOf(r), r.a[0], r.a[1], r.userString(0, r.a[2], stream.UserNameMax))
}

func (n *normalizer) userTaskEnd(r record) { n.annotations().TaskEnd(n.sendOf(r), r.a[0]) }

func (n *normalizer) userRegion(r record) {
	n.annotations().RegionBegin(n.sendOf(r), r.g, r.a[0], r.userString(0, r.a[2], stream.UserNameMax))
}

func (n *normalizer) userRegionEnd(r record) { n.annotations().RegionEnd(n.sendOf(r), r.g) }

func (n *normalizer) userLog(r record) {
	category := r.userString(0, r.a[2], stream.UserNameMax)
	message := r.userString(stream.UserNameMax, r.a[3], stream.UserMessageMax)
	n.annotations().Log(n.sendOf(r), r.a[0], category, message)
}

// userString is the string at off in the record's text, of the program's
// length n, read up to max bytes: one the probe cut short loses an
// incomplete last character, as stream.Clip cuts.
func (r record) userString(off int, n uint64, max int) string {
	read := int(min(n, uint64(max)))
	if off+read > len(r.text) {
		return ""
	}
	s := string(r.text[off : off+read])
	if n > uint64(max) {
		s = stream.TrimPartialRune(s)
	}
	return s
}
