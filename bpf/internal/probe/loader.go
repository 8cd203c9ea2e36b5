// Package probe loads slowmo.bpf.c's programs into the kernel for one target
// process and attaches them at the sites the target binary itself dictates:
// the C side reads structures through offsets set here from the binary's
// DWARF, and each uprobe sits at the post-prologue PUSHQ BP or on a RET found
// by decoding the function (never a uretprobe: Go moves stacks).
package probe

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"

	"go-slowmo.dev/bpf/internal/target"
)

// The compiled probes, built from c/slowmo.bpf.c by the Makefile (never committed).
//
//go:embed slowmo.bpf.o
var object []byte

// site says where one program goes: at the entry of a runtime function, on
// each of its RETs, on each CALL it makes to another function, or on the
// first branch after each such call. A RET is single-stepped by the kernel
// (about 15 us a hit here) where an entry PUSH, a CALL or a branch is
// emulated (under 1 us): the hot paths use calls and branches, with RETs
// only as the fallback (alt) when the code is not shaped as expected.
type site struct {
	program  string
	function string
	rets     bool   // on each RET itself: for a program that reads a result (RAX)
	calls    string // the CALLs to this function inside function
	after    string // the first branch after each CALL to this function inside function (RAX still its result)
	optional bool   // absent in some Go versions
	alt      *site  // where to go when this finds no place
	// returns: each RET, at the emulated sites before it that stand in for
	// it where there are (returns.go), with the callees in allow running
	// between such a site and the RET; or folded into another probe.
	returns bool
	allow   []string
	fold    *fold
	// writes: where function (or a closure of it) stores a value (stores.go).
	writes *stores
}

var sites = []site{
	// newproc's closure calls runqput(pp, newg, true): the new g, goid and all, is in BX there.
	{program: "newproc_put", function: "runtime.newproc.func1", calls: "runtime.runqput",
		alt: &site{program: "newproc1_ret", function: "runtime.newproc1", rets: true}},
	{program: "runqput", function: "runtime.runqput"},
	{program: "execute", function: "runtime.execute"},
	{program: "gopark", function: "runtime.gopark"},
	{program: "goexit0", function: "runtime.goexit0"},
	{program: "runqsteal", function: "runtime.runqsteal"},
	// runqsteal: n := runqgrab(...); TESTL AX, AX; JE: the branch sees how many were stolen.
	{program: "runqgrab_ret", function: "runtime.runqsteal", after: "runtime.runqgrab",
		alt: &site{program: "runqsteal_ret", function: "runtime.runqsteal", rets: true}},
	{program: "runqputslow", function: "runtime.runqputslow"},
	// Its unlock of sched.lock: only after the CAS that commits the overflow.
	{program: "runqputslow_done", function: "runtime.runqputslow", calls: "runtime.unlock2"},
	{program: "goschedImpl", function: "runtime.goschedImpl"},
	{program: "gosched_queued", function: "runtime.goschedImpl", calls: "runtime.unlock2"},
	{program: "injectglist", function: "runtime.injectglist"},
	// wakep (1.23+) wakes or starts an M, which records on its own thread.
	{program: "injectglist_ret", function: "runtime.injectglist", returns: true, allow: []string{"runtime.unlock2", "runtime.wakep"}},
	// Go 1.25+: findRunnable puts a batch from the global queue on a P's queue with runqputbatch.
	{program: "globrunq_batch", function: "runtime.findRunnable", calls: "runtime.runqputbatch", optional: true},
	{program: "acquirep", function: "runtime.acquirep"},
	{program: "releasep", function: "runtime.releasep"},
	{program: "pidleput", function: "runtime.pidleput"},
	{program: "handoffp", function: "runtime.handoffp"},
	{program: "stopm", function: "runtime.stopm"},
	{program: "stopm_ret", function: "runtime.stopm", returns: true, fold: &fold{"runtime.acquirep", "stopm_acquirep_ret"}},
	{program: "stealwork", function: "runtime.stealWork"},
	{program: "mspinning", function: "runtime.mspinning"},
	{program: "resetspinning", function: "runtime.resetspinning"},
	{program: "mstart1", function: "runtime.mstart1"},
	{program: "entersyscall", function: "runtime.entersyscall"},
	{program: "entersyscall", function: "runtime.entersyscallblock", optional: true},
	// mcall: Gosched when user goroutines are stopped (the exit said first, as it
	// happens), or exitsyscall0 on the slow path (no P: the program drops it).
	{program: "exitsyscall_ret", function: "runtime.exitsyscall", returns: true, allow: []string{"runtime.mcall"}},
	{program: "exitsyscall_nop", function: "runtime.exitsyscall0", optional: true},   // to 1.25
	{program: "exitsyscall_nop", function: "runtime.exitsyscallNoP", optional: true}, // from 1.26
	// Their unlock of sched.lock, with the goroutine queued globally or not.
	{program: "exitsyscall_queued", function: "runtime.exitsyscall0", calls: "runtime.unlock2", optional: true},
	{program: "exitsyscall_queued", function: "runtime.exitsyscallNoP", calls: "runtime.unlock2", optional: true},
	// The GC's phase changes, with the world stopped: where gcphase is stored (setGCPhase is inlined).
	{program: "gcphase_mark", function: "runtime.gcStart", writes: gcphase(1)},
	{program: "gcphase_markterm", function: "runtime.gcMarkTermination", writes: gcphase(2)},
	{program: "gcphase_off", function: "runtime.gcMarkTermination", writes: gcphase(0)}, // in a closure
	{program: "stw_begin", function: "runtime.stopTheWorldWithSema"},
	{program: "stw_end", function: "runtime.startTheWorldWithSema"},
}

// Fields the probes read, as (C variable, Go struct, field).
var fields = []struct{ variable, structName, field string }{
	{"off_g_goid", "runtime.g", "goid"},
	{"off_g_m", "runtime.g", "m"},
	{"off_g_parent_goid", "runtime.g", "parentGoid"},
	{"off_g_gopc", "runtime.g", "gopc"},
	{"off_g_startpc", "runtime.g", "startpc"},
	{"off_p_id", "runtime.p", "id"},
	{"off_p_runqhead", "runtime.p", "runqhead"},
	{"off_p_runqtail", "runtime.p", "runqtail"},
	{"off_p_runq", "runtime.p", "runq"},
	{"off_p_runnext", "runtime.p", "runnext"},
	{"off_g_schedlink", "runtime.g", "schedlink"},
	{"off_m_spinning", "runtime.m", "spinning"},
}

// resolve finds where one site's program goes.
func resolve(bin *target.Binary, s site, o siteOptions) (placed, error) {
	fn, _ := bin.Func(s.function)
	at := func(at []uint64, err error) (placed, error) {
		return placed{fn: fn, at: at, cookies: make([]uint64, len(at))}, err
	}
	switch {
	case s.returns:
		return resolveReturns(bin, s, o)
	case s.writes != nil:
		return resolveWrites(bin, s)
	case s.calls != "":
		return at(bin.Calls(s.function, s.calls))
	case s.after != "":
		branches, err := bin.BranchesAfterCalls(s.function, s.after)
		if err != nil {
			return at(nil, err)
		}
		// Every call must have its branch (runqsteal's entry counts a steal
		// in that the probe after it counts out): else none, and the alt.
		if calls, err := bin.Calls(s.function, s.after); err != nil || len(calls) != len(branches) {
			return at(nil, err)
		}
		return at(branches, nil)
	}
	ss, err := bin.Sites(s.function)
	if err != nil {
		return at(nil, err)
	}
	fn = ss.Func
	if s.rets {
		return at(ss.Rets, nil)
	}
	return at([]uint64{ss.Entry}, nil)
}

// mWindow places the 64-byte window of runtime.m that the probes read in
// one go for every record's context: its offset, and the index (in 8-byte
// words) of m.curg, m.p and m.id in it.
func mWindow(m target.Struct) (uint64, [3]uint64, error) {
	var offs [3]int64
	for i, f := range []string{"curg", "p", "id"} {
		off, err := m.Offset(f)
		if err != nil {
			return 0, [3]uint64{}, err
		}
		offs[i] = off
	}
	win := min(offs[0], offs[1], offs[2])
	var idx [3]uint64
	for i, off := range offs {
		if (off-win)%8 != 0 || off-win > 56 {
			return 0, idx, fmt.Errorf("runtime.m's curg, p and id are not within 64 aligned bytes (%v)", offs)
		}
		idx[i] = uint64(off-win) / 8
	}
	return uint64(win), idx, nil
}

// checkRunqLayout checks what the probes' one-read copy of a P's run queue
// assumes (struct runq_raw in the C code): runqhead, runqtail, runq[256] and
// runnext one after the other.
func checkRunqLayout(p target.Struct) error {
	head, tail, runq, next := p.Fields["runqhead"], p.Fields["runqtail"], p.Fields["runq"], p.Fields["runnext"]
	if tail != head+4 || runq != head+8 || next != runq+256*8 {
		return fmt.Errorf("unexpected layout of runtime.p's run queue (runqhead %d, runqtail %d, runq %d, runnext %d)", head, tail, runq, next)
	}
	return nil
}

// globalQueue finds the addresses of the global run queue's head (followed
// by its tail), of its length and of the lock that guards it (sched.lock's
// key; 0 if not found): sched.runq is a gQueue; its length is
// sched.runqsize before Go 1.25 and sched.runq.size from 1.25. A PIE
// binary's addresses are known only once it runs: then there are no global
// queue snapshots.
func globalQueue(bin *target.Binary, structs map[string]target.Struct) (head, size, lock uint64, ok bool) {
	sched, found := bin.Var("runtime.sched")
	if !found || bin.PIE() {
		return 0, 0, 0, false
	}
	schedt := structs["runtime.schedt"]
	runq, err := schedt.Offset("runq")
	if err != nil {
		return 0, 0, 0, false
	}
	q := structs["runtime.gQueue"]
	qhead, qtail := q.Fields["head"], q.Fields["tail"]
	if qtail != qhead+8 {
		return 0, 0, 0, false
	}
	if l, err := schedt.Offset("lock"); err == nil {
		if key, err := structs["runtime.mutex"].Offset("key"); err == nil {
			lock = sched + uint64(l+key)
		}
	}
	head = sched + uint64(runq+qhead)
	if off, ok := q.Fields["size"]; ok {
		return head, sched + uint64(runq+off), lock, true
	}
	if off, ok := schedt.Fields["runqsize"]; ok {
		return head, sched + uint64(off), lock, true
	}
	return 0, 0, 0, false
}

// Probes are the programs loaded and verified in the kernel (Load), then
// attached at one target binary's sites (Attach) and recording one process
// (Follow).
type Probes struct {
	coll   *ebpf.Collection
	multi  bool        // attached with uprobe_multi links
	links  []link.Link // the probes at the target binary's sites
	lines  []link.Link // paced mode's per-line probes, removed on resume
	Reader *ringbuf.Reader
	// cookies: the kernel has bpf_get_attach_cookie, which return sites on
	// conditional branches need (returns.go).
	cookies bool
	// RetSites puts every return probe on the RETs themselves (single-stepped),
	// as before return sites: for make bench to measure what they save.
	RetSites bool
}

// Load loads and verifies the probes, tied to no target yet. It is most of
// the cost of starting a run (the verifier takes a few hundred ms), and
// needs nothing from the target, so it can run while the target is built
// (preload.go). The probes do nothing until Attach and Follow.
func Load() (*Probes, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("lift the memlock limit: %w", err)
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(object))
	if err != nil {
		return nil, fmt.Errorf("read the embedded probes: %w", err)
	}
	// uprobe_multi (Linux 6.6+) attaches a program to all its sites with one
	// link, and removes them with one RCU wait instead of one per site.
	multi := features.HaveBPFLinkUprobeMulti() == nil
	if multi {
		for _, ps := range spec.Programs {
			ps.AttachType = ebpf.AttachTraceUprobeMulti
		}
	}
	// Return sites on conditional branches read their attach cookie (Linux
	// 5.15+): without it the probes leave the helper out (returns.go).
	cookies := features.HaveProgramHelper(ebpf.Kprobe, asm.FnGetAttachCookie) == nil
	if cookies {
		if err := spec.Variables["site_cookies"].Set(uint32(1)); err != nil {
			return nil, fmt.Errorf("set the probes' site_cookies: %w", err)
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("load the probes: %w", err)
	}
	p := &Probes{coll: coll, multi: multi, cookies: cookies}
	if p.Reader, err = ringbuf.NewReader(coll.Maps["events"]); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// set gives one of the probes' variables (slowmo.bpf.c's globals) its value.
func (p *Probes) set(name string, v any) error {
	vr, ok := p.coll.Variables[name]
	if !ok {
		return fmt.Errorf("the probes have no variable %s", name)
	}
	if err := vr.Set(v); err != nil {
		return fmt.Errorf("set the probes' %s: %w", name, err)
	}
	return nil
}

// Follow makes the probes record the process tgid, and no other: uprobes
// fire in every process running the binary (other runs of the same
// program). Call it once attached and before the process runs.
func (p *Probes) Follow(tgid int) error {
	return p.set("target_tgid", uint32(tgid))
}

// layoutStructs are the runtime's types whose layout the probes need, and
// runtimeStructs every one a run reads (sysmon's records too, internal/sysmon):
// read in one pass over the DWARF, which the binary keeps.
var (
	layoutStructs  = []string{"runtime.g", "runtime.m", "runtime.p", "runtime.schedt", "runtime.gQueue", "runtime.mutex"}
	runtimeStructs = append(append([]string{}, layoutStructs...), "runtime.sysmontick")
)

// Attach gives the probes the layout of bin's runtime and attaches them at
// bin's sites; they record nothing until Follow. The layout is read from the
// DWARF (about as long as the sites take to find and attach) beside them.
func (p *Probes) Attach(bin *target.Binary, paced bool) error {
	layout := readLayout(bin)
	if err := p.setCode(bin, paced); err != nil {
		return err
	}
	ex, err := link.OpenExecutable(bin.Path)
	if err != nil {
		return err
	}
	places, err := p.placeSites(bin)
	if err != nil {
		return err
	}
	if err := p.attachPlaces(ex, places); err != nil {
		return err
	}
	if l := <-layout; l.err != nil {
		return l.err
	} else if err := p.setLayout(bin, l.structs); err != nil {
		return err
	}
	if paced {
		return p.attachLines(bin, ex, p.multi)
	}
	return nil
}

// layoutRead is the layout of a binary's runtime, or why it could not be read.
type layoutRead struct {
	structs map[string]target.Struct
	err     error
}

// readLayout reads bin's runtime layout (layoutStructs) in the background,
// with the rest of runtimeStructs: all in one pass over the DWARF.
func readLayout(bin *target.Binary) <-chan layoutRead {
	layout := make(chan layoutRead, 1)
	go func() {
		_, _ = bin.Structs(runtimeStructs...)
		structs, err := bin.Structs(layoutStructs...)
		layout <- layoutRead{structs, err}
	}()
	return layout
}

// setCode tells the probes what they need of bin's code before they are
// attached: whether each record stops the target (paced mode), and where
// runtime.ready is (runqput's waker stacks).
func (p *Probes) setCode(bin *target.Binary, paced bool) error {
	if paced {
		if err := p.set("paced", uint32(1)); err != nil {
			return err
		}
	}
	// A PIE target's code lands where its loader puts it, which the return
	// address runqput compares with is not known here: no waker stacks then.
	if ready, ok := bin.Func("runtime.ready"); ok && !bin.PIE() {
		if err := p.set("ready_lo", ready.Entry); err != nil {
			return err
		}
		if err := p.set("ready_hi", ready.Entry+ready.Size); err != nil {
			return err
		}
	}
	return nil
}

// programPlaces is where each program goes, programs in the order sites
// names them first.
type programPlaces struct {
	order []string
	of    map[string]*programPlace
}

// programPlace is one program's (function, offset, attach cookie) triples.
type programPlace struct {
	symbols          []string
	offsets, cookies []uint64
}

// placeSites finds where each site's program goes in bin (its alt where it
// finds no place; an optional one may find none). A folded site has no
// place: the variable the folding probe reads gets its return address.
func (p *Probes) placeSites(bin *target.Binary) (programPlaces, error) {
	places := programPlaces{of: map[string]*programPlace{}}
	o := siteOptions{cookies: p.cookies, rets: p.RetSites}
	for _, s := range sites {
		put, err := resolve(bin, s, o)
		if err == nil && len(put.at) == 0 && s.alt != nil {
			s = *s.alt
			put, err = resolve(bin, s, o)
		}
		if err == nil && put.foldAt != 0 {
			if err := p.set(s.fold.variable, put.foldAt); err != nil {
				return places, err
			}
			continue
		}
		fn, at := put.fn, put.at
		if err != nil || len(at) == 0 && s.optional {
			if s.optional {
				continue
			}
			return places, err
		}
		pl := places.of[s.program]
		if pl == nil {
			pl = &programPlace{}
			places.of[s.program] = pl
			places.order = append(places.order, s.program)
		}
		for i, addr := range at {
			in := fn
			if put.in != nil {
				in = put.in[i]
			}
			pl.symbols = append(pl.symbols, in.Name)
			pl.offsets = append(pl.offsets, addr-in.Entry)
			pl.cookies = append(pl.cookies, put.cookies[i])
		}
	}
	return places, nil
}

// attachPlaces attaches each program at its places: with one uprobe_multi
// link where the kernel has them, else one uprobe a place. No PID option:
// a per-process perf event follows only the thread it was opened for. The
// programs filter on the target's tgid instead.
func (p *Probes) attachPlaces(ex *link.Executable, places programPlaces) error {
	for _, name := range places.order {
		pl, prog := places.of[name], p.coll.Programs[name]
		if p.multi {
			l, err := ex.UprobeMulti(pl.symbols, prog, &link.UprobeMultiOptions{Offsets: pl.offsets, Cookies: pl.cookies})
			if err != nil {
				return fmt.Errorf("attach %s to %v: %w", name, pl.symbols, err)
			}
			p.links = append(p.links, l)
			continue
		}
		for i := range pl.symbols {
			l, err := ex.Uprobe(pl.symbols[i], prog, &link.UprobeOptions{Offset: pl.offsets[i], Cookie: pl.cookies[i]})
			if err != nil {
				return fmt.Errorf("attach %s at %s+%#x: %w", name, pl.symbols[i], pl.offsets[i], err)
			}
			p.links = append(p.links, l)
		}
	}
	return nil
}

// setLayout gives the probes the offsets of the runtime's fields they read,
// and the addresses of the global run queue.
func (p *Probes) setLayout(bin *target.Binary, structs map[string]target.Struct) error {
	set := p.set
	if err := checkRunqLayout(structs["runtime.p"]); err != nil {
		return fmt.Errorf("%s (%s): %w", bin.Path, bin.GoVersion, err)
	}
	for _, f := range fields {
		off, err := structs[f.structName].Offset(f.field)
		if err != nil {
			return fmt.Errorf("%s (%s): %w", bin.Path, bin.GoVersion, err)
		}
		if err := set(f.variable, uint64(off)); err != nil {
			return err
		}
	}
	win, idx, err := mWindow(structs["runtime.m"])
	if err != nil {
		return fmt.Errorf("%s (%s): %w", bin.Path, bin.GoVersion, err)
	}
	if err := set("off_m_win", win); err != nil {
		return err
	}
	for i, name := range []string{"idx_m_curg", "idx_m_p", "idx_m_id"} {
		if err := set(name, idx[i]); err != nil {
			return err
		}
	}
	if head, size, lock, ok := globalQueue(bin, structs); ok {
		for name, addr := range map[string]uint64{"addr_globq_head": head, "addr_globq_size": size, "addr_globq_lock": lock} {
			if err := set(name, addr); err != nil {
				return err
			}
		}
	}
	return nil
}

// Lost is how many records the probes could not write (ring buffer full).
func (p *Probes) Lost() (uint64, error) {
	var n uint64
	v, ok := p.coll.Variables["lost"]
	if !ok {
		return 0, errors.New("the probes have no lost counter")
	}
	err := v.Get(&n)
	return n, err
}

// attachLines puts the line program on the first instruction of every user source line.
func (p *Probes) attachLines(bin *target.Binary, ex *link.Executable, multi bool) error {
	syms, err := bin.Symbols()
	if err != nil {
		return err
	}
	lines, err := bin.UserLines(syms)
	if err != nil || len(lines.Symbols) == 0 {
		return err
	}
	prog := p.coll.Programs["line"]
	if multi {
		l, err := ex.UprobeMulti(lines.Symbols, prog, &link.UprobeMultiOptions{Offsets: lines.Offsets})
		if err != nil {
			return fmt.Errorf("attach line probes: %w", err)
		}
		p.lines = append(p.lines, l)
		return nil
	}
	for i := range lines.Symbols {
		l, err := ex.Uprobe(lines.Symbols[i], prog, &link.UprobeOptions{Offset: lines.Offsets[i]})
		if err != nil {
			return fmt.Errorf("attach a line probe at %s+%#x: %w", lines.Symbols[i], lines.Offsets[i], err)
		}
		p.lines = append(p.lines, l)
	}
	return nil
}

// SetPaced turns stopping the target after each record on or off, while it runs.
func (p *Probes) SetPaced(on bool) error {
	v, ok := p.coll.Variables["paced"]
	if !ok {
		return errors.New("the probes have no paced switch")
	}
	var flag uint32
	if on {
		flag = 1
	}
	if err := v.Set(flag); err != nil {
		return err
	}
	if !on {
		// A hot loop would hit its line probes millions of times at full speed.
		closeAll(p.lines)
		p.lines = nil
	}
	return nil
}

// HasLines says whether line probes are attached (paced mode, until it ends).
func (p *Probes) HasLines() bool { return len(p.lines) > 0 }

// Verified is how many instructions the kernel's verifier went through for
// all the programs: what Load costs, which make bench keeps in sight.
func (p *Probes) Verified() (uint64, error) {
	var n uint64
	for name, prog := range p.coll.Programs {
		info, err := prog.Info()
		if err != nil {
			return 0, fmt.Errorf("program %s: %w", name, err)
		}
		v, ok := info.VerifiedInstructions()
		if !ok {
			return 0, fmt.Errorf("program %s: the kernel does not say how many instructions it verified", name)
		}
		n += uint64(v)
	}
	return n, nil
}

// Close detaches and unloads everything.
func (p *Probes) Close() {
	if p.Reader != nil {
		p.Reader.Close()
	}
	closeAll(append(p.links, p.lines...))
	p.links, p.lines = nil, nil
	p.coll.Close()
}

// closeAll removes links. Each uprobe's removal waits for an RCU grace period
// (tens of ms): remove them all at once rather than one after another.
func closeAll(links []link.Link) {
	var wg sync.WaitGroup
	for _, l := range links {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Close()
		}()
	}
	wg.Wait()
}
