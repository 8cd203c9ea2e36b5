package trace

import (
	"bufio"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go-slowmo.dev/bpf/internal/stream"
)

// The probe's side of the trace backend's GC lens (dumphelper.go is the
// program's): the dumps read from their pipe as the program writes them,
// each compared with the one before into heap.dump, heap.free, heap.alloc
// and heap.edge events, which wait in a queue until the trace reaches the
// stop of the world that dump made: they are sent there, at its time.

// dumpEvent is one event of a dump, waiting for its place in the stream.
type dumpEvent struct {
	kind   string
	fields []stream.Field
}

// dumpQueue holds each dump's events, in the order the dumps were taken,
// until the mapper reaches that dump's stop of the world. Unbounded: the
// program may take several dumps within one generation of its trace, and it
// cannot flush that generation while a dump it writes waits on the queue.
type dumpQueue struct {
	mu     sync.Mutex
	items  [][]dumpEvent
	closed bool
	ready  chan struct{}
	read   chan struct{} // closed when the pipe has been read to its end
}

func newDumpQueue() *dumpQueue {
	return &dumpQueue{ready: make(chan struct{}, 1), read: make(chan struct{})}
}

func (q *dumpQueue) push(events []dumpEvent) {
	q.mu.Lock()
	q.items = append(q.items, events)
	q.mu.Unlock()
	q.wake()
}

func (q *dumpQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.wake()
	close(q.read)
}

func (q *dumpQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// next is the next dump's events; nil once the pipe has ended with none
// left, or after patience (the dump never came whole).
func (q *dumpQueue) next(patience time.Duration) []dumpEvent {
	deadline := time.NewTimer(patience)
	defer deadline.Stop()
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			events := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return events
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil
		}
		select {
		case <-q.ready:
		case <-deadline.C:
			return nil
		}
	}
}

// end says how many dumps never had their place.
func (q *dumpQueue) end() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	left := len(q.items)
	q.items = nil
	return left
}

// dumpFrame is the helper's line before each dump: which moment it is.
type dumpMoment struct {
	moment         string // start, before-gc, after-gc, cycle, end; limit or enough (no dump follows)
	cycle, objects int64
	line           int64
	file           string
}

func parseMoment(line string) (dumpMoment, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "slowmo-dump ")
	if !ok {
		return dumpMoment{}, false
	}
	parts := strings.SplitN(rest, " ", 5)
	if len(parts) != 5 {
		return dumpMoment{}, false
	}
	var m dumpMoment
	var err1, err2, err3 error
	m.moment = parts[0]
	m.cycle, err1 = strconv.ParseInt(parts[1], 10, 64)
	m.objects, err2 = strconv.ParseInt(parts[2], 10, 64)
	m.line, err3 = strconv.ParseInt(parts[3], 10, 64)
	m.file = parts[4]
	return m, err1 == nil && err2 == nil && err3 == nil
}

// dumpDiffer turns each dump into what changed since the one before.
type dumpDiffer struct {
	max   int
	file  func(string) string // the learner's name of a source file
	n     int                 // dumps seen
	prev  map[uint64]dumpID   // the last dump's objects by address
	born  map[uint64]int      // the dump an object at an address was first seen in
	edges map[dumpEdge]bool   // pointers said already
	funcs *sourceFuncs
	done  bool // past the bound
}

// dumpID tells an object from another at the same address: an address
// freed and allocated again between two dumps, with the same size, is seen
// as the same object unless the memory profiler saw it allocated elsewhere.
type dumpID struct{ size, bucket uint64 }

// dumpEdge is a pointer said: from an object (its address and the dump it
// was born in) or a root, to an object.
type dumpEdge struct {
	from     uint64
	fromBorn int
	root     string
	goid     uint64
	to       uint64
	toBorn   int
}

func newDumpDiffer(max int, file func(string) string) *dumpDiffer {
	return &dumpDiffer{max: max, file: file, prev: map[uint64]dumpID{}, born: map[uint64]int{}, edges: map[dumpEdge]bool{}, funcs: newSourceFuncs()}
}

func ev(kind string, fields ...stream.Field) dumpEvent { return dumpEvent{kind: kind, fields: fields} }

// limit says the bound was passed; nothing more is said of the heap.
func (df *dumpDiffer) limit() dumpEvent {
	df.done = true
	return ev("heap.limit", stream.F("objects", int64(df.max)))
}

// diff is dump d's events, taken at moment m.
func (df *dumpDiffer) diff(m dumpMoment, d *heapDump) []dumpEvent {
	df.n++
	n := int64(df.n)
	head := []stream.Field{stream.F("n", n), stream.F("moment", m.moment), stream.F("cycle", m.cycle)}
	if m.line > 0 {
		head = append(head, stream.F("file", df.file(m.file)), stream.F("line", m.line))
	}
	head = append(head, stream.F("objects", int64(len(d.objects))), stream.F("bytes", int64(d.bytes)))
	out := []dumpEvent{ev("heap.dump", head...)}

	cur := make(map[uint64]dumpID, len(d.objects))
	for _, o := range d.objects {
		cur[o.addr] = dumpID{o.size, d.bucket[o.addr]}
	}
	var gone []uint64
	for a, id := range df.prev {
		if cur[a] != id {
			gone = append(gone, a)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i] < gone[j] })
	for _, a := range gone {
		out = append(out, ev("heap.free", stream.F("addr", addr(a)), stream.F("size", int64(df.prev[a].size)), stream.F("dump", n)))
		delete(df.born, a)
	}
	for _, o := range d.objects {
		if id, ok := df.prev[o.addr]; ok && id == cur[o.addr] {
			continue
		}
		df.born[o.addr] = df.n
		fields := []stream.Field{stream.F("addr", addr(o.addr)), stream.F("size", int64(o.size)), stream.F("noscan", !o.scan)}
		if at, ok := df.site(d.sampled[o.addr]); ok {
			fields = append(fields, stream.F("file", at.File), stream.F("line", at.Line), stream.F("fn", at.Func))
		}
		out = append(out, ev("heap.alloc", append(fields, stream.F("dump", n))...))
	}
	df.prev = cur

	for i := range d.objects {
		o := &d.objects[i]
		for _, p := range o.ptrs {
			to, ok := d.find(p)
			if !ok || to.addr == o.addr {
				continue
			}
			k := dumpEdge{from: o.addr, fromBorn: df.born[o.addr], to: to.addr, toBorn: df.born[to.addr]}
			if !df.edges[k] {
				df.edges[k] = true
				out = append(out, ev("heap.edge", stream.F("to", addr(to.addr)), stream.F("from", addr(o.addr)), stream.F("dump", n)))
			}
		}
	}
	for _, r := range d.roots {
		to, ok := d.find(r.ptr)
		if !ok {
			continue
		}
		k := dumpEdge{root: r.place, goid: r.goid, to: to.addr, toBorn: df.born[to.addr]}
		if df.edges[k] {
			continue
		}
		df.edges[k] = true
		fields := []stream.Field{stream.F("to", addr(to.addr)), stream.F("root", r.place)}
		if r.place == "stack" && r.goid > 0 {
			fields = append(fields, stream.F("rootG", int64(r.goid)))
		}
		out = append(out, ev("heap.edge", append(fields, stream.F("dump", n))...))
	}
	return out
}

// allocAt is where in the learner's code an object was allocated.
type allocAt struct {
	File, Func string
	Line       int64
}

// site is the innermost frame of the learner's code in an allocation's
// stack (the helper's own frames are not the learner's).
func (df *dumpDiffer) site(stk []dumpFrame) (allocAt, bool) {
	for _, f := range stk {
		if f.line <= 0 || !isUser(f.fn) || helperFunc(f.fn) || helperFile(f.file) {
			continue
		}
		fn := f.fn
		// Inlined into fn, the allocation's line is in another function of the program's.
		// (Only the program's own files: a package's code inlined in the learner's keeps their function.)
		if decl := df.funcs.at(f.file, f.line); strings.HasPrefix(decl, "main.") && fn != decl && !strings.HasPrefix(fn, decl+".") {
			fn = decl
		}
		return allocAt{File: df.file(f.file), Func: funcName(fn), Line: f.line}, true
	}
	return allocAt{}, false
}

// helperFunc says whether fn is one of the helpers' (not the learner's
// renamed main). main.init.0 is the trace helper's init, the package's first
// by file order: the tracer's allocations, inlined from runtime/trace, are
// named by their own file, not the helper's.
func helperFunc(fn string) bool {
	if strings.HasPrefix(fn, "main."+userMain) {
		return false
	}
	return fn == "main.init.0" || strings.HasPrefix(fn, "main.slowmo") || strings.HasPrefix(fn, "main.(*slowmo")
}

// helperFile says whether a source file is one of the helpers'.
func helperFile(file string) bool {
	base := filepath.Base(file)
	return base == HelperFile || base == DumpHelperFile
}

func addr(a uint64) int64 { return int64(a) }

// readDumps reads the dump pipe until it ends, queueing each dump's events.
func readDumps(r io.Reader, df *dumpDiffer, q *dumpQueue, logf func(string, ...any)) {
	br := bufio.NewReaderSize(r, 1<<16)
	defer func() {
		q.close()
		// A dump it could not read is the lens's loss, not the program's:
		// the pipe is read to its end, or the program would wait forever
		// in its next dump, the world stopped.
		_, _ = io.Copy(io.Discard, br)
	}()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) || line != "" {
				logf("slowmo-probe trace: the heap dumps end early (%v)", err)
			}
			return
		}
		m, ok := parseMoment(line)
		if !ok {
			logf("slowmo-probe trace: not a heap dump's moment: %q", line)
			return
		}
		if m.moment == "enough" {
			logf("slowmo-probe trace: the GC lens took %d heap dumps and stops: each stops the world", maxDumps)
			continue
		}
		d, over, err := readDump(br, df.max)
		if err != nil {
			logf("slowmo-probe trace: heap dump: %v", err)
			return
		}
		switch {
		case df.done:
			q.push(nil)
		case over:
			q.push([]dumpEvent{df.limit()})
		default:
			q.push(df.diff(m, d))
		}
	}
}
