package probe

import (
	"bytes"
	_ "embed"
	"fmt"

	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"go-slowmo.dev/bpf/internal/target"
)

// The GC lens's probes (c/gc.bpf.c), built by the Makefile beside
// slowmo.bpf.o (never committed), loaded only with Options.GC.
//
//go:embed gc.bpf.o
var gcObject []byte

// gc.bpf.c's record kinds (its enum gc_kind; gc_test.go checks them against the C).
const (
	kHeapAlloc = 80 // a: addr, size, flags (1 noscan, 2 born black); stack: return pcs
	kGCGrey    = 81 // a: obj, base it was found from (0: unknown), 1 when from tryDeferToSpanScan
	kGCScan    = 82 // a: obj being scanned: black
	kGCSpan    = 83 // a: span base; bits: its inline mark bits
	kGCBarrier = 84 // a: n; ptrs: the write barrier buffer's pointers
	kGCSweep   = 85 // a: base, npages, nelems, elemsize; bits: gcmarkBits, then the inline mark bits
	kGCStack   = 86 // a: goid whose stack this thread scans now
	kGCGlobals = 87 // this thread scans the data and bss segments now
	kHeapLimit = 88 // a: the bound
)

// The sizes of gc.bpf.c's records' tails (gc_test.go checks them).
const (
	allocDepth   = 6   // ALLOC_DEPTH
	wbBufEntries = 512 // WBBUF_ENTRIES
	markBytes    = 128 // MARK_BYTES
)

// GCMaxObjects is how many allocations the lens follows by default; past
// them it says heap.limit and its probes go quiet.
const GCMaxObjects = 20000

// gcProbes are gc.bpf.c's probes for one target binary.
type gcProbes struct {
	coll      *ebpf.Collection
	mu        sync.Mutex // links, detached once past the bound while the program runs
	links     []link.Link
	detaching sync.Once
}

// gcFields are the runtime's fields the probes read, as (C variable, struct, field path).
var gcFields = []struct {
	variable, structName string
	path                 []string
}{
	{"off_g_goid", "runtime.g", []string{"goid"}}, {"off_g_m", "runtime.g", []string{"m"}},
	{"off_m_id", "runtime.m", []string{"id"}}, {"off_m_p", "runtime.m", []string{"p"}},
	{"off_m_curg", "runtime.m", []string{"curg"}},
	{"off_p_id", "runtime.p", []string{"id"}},
	{"off_type_ptrbytes", "internal/abi.Type", []string{"PtrBytes"}},
	{"off_p_wbbuf_next", "runtime.p", []string{"wbBuf", "runtime.wbBuf", "next"}},
	{"off_p_wbbuf_buf", "runtime.p", []string{"wbBuf", "runtime.wbBuf", "buf"}},
	{"off_span_start", "runtime.mspan", []string{"startAddr"}},
	{"off_span_npages", "runtime.mspan", []string{"npages"}},
	{"off_span_nelems", "runtime.mspan", []string{"nelems"}},
	{"off_span_elemsize", "runtime.mspan", []string{"elemsize"}},
	{"off_span_gcmarkbits", "runtime.mspan", []string{"gcmarkBits"}},
}

// gcSite is one program's place: the entries (or RETs) of functions.
type gcSite struct {
	program   string
	functions []string
	rets      bool
	optional  bool // absent in some Go versions or collectors
}

// gcSites lists where gc.bpf.c's programs go in bin.
func gcSites(bin *target.Binary) []gcSite {
	allocs := bin.Allocators()
	return []gcSite{
		{program: "alloc_entry", functions: allocs},
		{program: "alloc_ret", functions: allocs, rets: true},
		{program: "alloc_black", functions: []string{"runtime.gcmarknewobject"}},
		{program: "grey", functions: []string{"runtime.greyobject"}},
		{program: "grey_span", functions: []string{"runtime.tryDeferToSpanScan"}, optional: true},
		{program: "scan", functions: []string{"runtime.scanobject"}, optional: true}, // to 1.25
		{program: "scan", functions: []string{"runtime.scanObject"}, optional: true}, // from 1.26
		{program: "scan_span", functions: []string{"runtime.scanSpan"}, optional: true},
		{program: "scan_stack", functions: []string{"runtime.scanstack"}},
		{program: "scan_globals", functions: []string{"runtime.markrootBlock"}},
		{program: "wb_flush", functions: []string{"runtime.wbBufFlush1"}},
		{program: "sweep", functions: []string{"runtime.(*sweepLocked).sweep"}},
	}
}

// GreenTea says whether bin marks small objects per span (Go 1.26's
// default collector; GOEXPERIMENT=nogreenteagc builds without it).
func GreenTea(bin *target.Binary) bool {
	_, ok := bin.Func("runtime.scanSpan")
	return ok
}

// gcLens is run.start's gcLens: how the lens sees bin's collector.
func gcLens(bin *target.Binary, maxObjects int) map[string]any {
	if maxObjects <= 0 {
		maxObjects = GCMaxObjects
	}
	lens := map[string]any{"perSpan": GreenTea(bin), "maxObjects": maxObjects}
	if bin.Experiment != "" {
		lens["experiment"] = bin.Experiment
	}
	return lens
}

// attachGC loads the lens's probes beside the scheduler's probes p (whose
// ring buffer they share) and attaches them to bin's marking functions.
func attachGC(p *Probes, bin *target.Binary, maxObjects int) (*gcProbes, error) {
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(gcObject))
	if err != nil {
		return nil, fmt.Errorf("read the embedded GC probes: %w", err)
	}
	events := p.coll.Maps["events"]
	spec.Maps["events"].MaxEntries = events.MaxEntries()
	if p.multi {
		for _, ps := range spec.Programs {
			ps.AttachType = ebpf.AttachTraceUprobeMulti
		}
	}
	if maxObjects <= 0 {
		maxObjects = GCMaxObjects
	}
	values := map[string]any{"max_objects": uint64(maxObjects), "green_tea": uint32(0), "site_cookies": uint32(0)}
	if p.cookies && !p.RetSites {
		values["site_cookies"] = uint32(1)
	}
	if GreenTea(bin) {
		values["green_tea"] = uint32(1)
	}
	if err := gcLayout(bin, values); err != nil {
		return nil, err
	}
	for name, v := range values {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("set the GC probes' %s: %w", name, err)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		MapReplacements: map[string]*ebpf.Map{"events": events}})
	if err != nil {
		return nil, fmt.Errorf("load the GC probes: %w", err)
	}
	g := &gcProbes{coll: coll}
	if err := g.attach(bin, p.multi, values["site_cookies"] == uint32(1)); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// gcLayout reads the offsets of the fields the probes read into values.
func gcLayout(bin *target.Binary, values map[string]any) error {
	structs, err := bin.Structs("runtime.g", "runtime.m", "runtime.p", "runtime.wbBuf", "runtime.mspan", "internal/abi.Type")
	if err != nil {
		return err
	}
	for _, f := range gcFields {
		var total int64
		s := structs[f.structName]
		for i := 0; i < len(f.path); i += 2 {
			off, err := s.Offset(f.path[i])
			if err != nil {
				return fmt.Errorf("%s (%s): %w", bin.Path, bin.GoVersion, err)
			}
			total += off
			if i+1 < len(f.path) {
				s = structs[f.path[i+1]]
			}
		}
		values[f.variable] = uint64(total)
	}
	return nil
}

// attach puts each program at its sites; with cookies the allocators'
// returns go to their emulated return sites.
func (g *gcProbes) attach(bin *target.Binary, multi, cookies bool) error {
	ex, err := link.OpenExecutable(bin.Path)
	if err != nil {
		return err
	}
	for _, s := range gcSites(bin) {
		var syms []string
		var offs, cooks []uint64
		for _, name := range s.functions {
			ss, err := bin.Sites(name)
			if err != nil {
				if s.optional {
					continue
				}
				return err
			}
			at, cs := []uint64{ss.Entry}, []uint64{0}
			if s.rets {
				if at, cs, err = allocReturns(bin, name, ss, cookies); err != nil {
					return err
				}
			}
			for i, a := range at {
				syms, offs, cooks = append(syms, name), append(offs, a-ss.Func.Entry), append(cooks, cs[i])
			}
		}
		if len(syms) == 0 {
			if s.optional {
				continue
			}
			return fmt.Errorf("%s: no place for the GC probe %s", bin.Path, s.program)
		}
		if err := g.link(ex, s.program, placesOf{syms, offs, cooks}, multi); err != nil {
			return err
		}
	}
	return nil
}

// allocReturnsAllowed are the callees that may run between an allocator's
// return site and its RET: the debug hook and a GC start (the allocation
// is made; the stack slot the result is reloaded from is the caller's
// own), and the nested allocators (which say the object themselves).
var allocReturnsAllowed = []string{"runtime.postMallocgcDebug", "runtime.gcStart"}

// allocReturns places an allocator's return probe: its RETs, or with
// cookies its return sites, each with the cookie gc.bpf.c's alloc_ret reads.
func allocReturns(bin *target.Binary, name string, ss target.Sites, cookies bool) ([]uint64, []uint64, error) {
	if !cookies {
		return ss.Rets, make([]uint64, len(ss.Rets)), nil
	}
	rs, err := bin.ResultSites(name, append(append([]string{}, allocReturnsAllowed...), bin.Allocators()...)...)
	if err != nil {
		return nil, nil, err
	}
	var at, cs []uint64
	for _, r := range rs {
		at = append(at, r.Addr)
		cs = append(cs, uint64(r.Cond)|uint64(r.From)<<16|uint64(uint32(int32(r.Off)))<<32)
	}
	return at, cs, nil
}

// placesOf are one program's places: (symbol, offset, cookie) triples.
type placesOf struct {
	syms          []string
	offs, cookies []uint64
}

func (g *gcProbes) link(ex *link.Executable, prog string, pl placesOf, multi bool) error {
	syms, offs := pl.syms, pl.offs
	if multi {
		l, err := ex.UprobeMulti(syms, g.coll.Programs[prog], &link.UprobeMultiOptions{Offsets: offs, Cookies: pl.cookies})
		if err != nil {
			return fmt.Errorf("attach %s to %v: %w", prog, syms, err)
		}
		g.mu.Lock()
		g.links = append(g.links, l)
		g.mu.Unlock()
		return nil
	}
	for i := range syms {
		l, err := ex.Uprobe(syms[i], g.coll.Programs[prog], &link.UprobeOptions{Offset: offs[i], Cookie: pl.cookies[i]})
		if err != nil {
			return fmt.Errorf("attach %s at %s+%#x: %w", prog, syms[i], offs[i], err)
		}
		g.mu.Lock()
		g.links = append(g.links, l)
		g.mu.Unlock()
	}
	return nil
}

// follow makes the probes record the process tgid.
func (g *gcProbes) follow(tgid int) error {
	if g == nil {
		return nil
	}
	if err := g.coll.Variables["target_tgid"].Set(uint32(tgid)); err != nil {
		return fmt.Errorf("set the GC probes' target_tgid: %w", err)
	}
	return nil
}

// lost is how many of their records found the ring buffer full.
func (g *gcProbes) lost() (uint64, error) {
	var n uint64
	if g == nil {
		return 0, nil
	}
	err := g.coll.Variables["lost"].Get(&n)
	return n, err
}

// detach takes the probes off the program once past the bound, in the
// background: they record nothing more, but every allocation would still
// pay for its RET's probe (single-stepped, ~15-30 us).
func (g *gcProbes) detach() {
	if g == nil {
		return
	}
	g.detaching.Do(func() {
		go func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			closeAll(g.links)
			g.links = nil
		}()
	})
}

func (g *gcProbes) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	closeAll(g.links)
	g.links = nil
	g.mu.Unlock()
	g.coll.Close()
}
