package trace

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// A reader of the runtime's heap dump (runtime/debug.WriteHeapDump, the
// format runtime/heapdump.go writes, "go1.7 heap dump", unchanged from Go
// 1.22 to 1.27): what the GC lens of the trace backend needs of it, the
// objects with their sizes and the pointers they hold, the roots' pointers,
// and where the memory profiler saw each object allocated. A dump has no
// types and no mark bits.

const dumpHeader = "go1.7 heap dump\n"

// The dump's record tags and field kinds (runtime/heapdump.go).
const (
	tagEOF             = 0
	tagObject          = 1
	tagOtherRoot       = 2
	tagType            = 3
	tagGoroutine       = 4
	tagStackFrame      = 5
	tagParams          = 6
	tagFinalizer       = 7
	tagItab            = 8
	tagOSThread        = 9
	tagMemStats        = 10
	tagQueuedFinalizer = 11
	tagData            = 12
	tagBSS             = 13
	tagDefer           = 14
	tagPanic           = 15
	tagMemProf         = 16
	tagAllocSample     = 17

	fieldKindEol = 0
	fieldKindPtr = 1
)

// memStatsWords is how many numbers a MemStats record holds: 24, the 256
// pauses, then NumGC.
const memStatsWords = 24 + 256 + 1

// dumpObject is one heap object of a dump.
type dumpObject struct {
	addr, size uint64
	ptrs       []uint64 // the non-nil pointers it holds
	scan       bool     // it has pointer fields at all
}

// dumpRoot is a pointer held outside the heap: in a package variable, a
// goroutine's stack frame, or the runtime's other roots (finalizers...).
type dumpRoot struct {
	place string // "globals", "stack", "other"
	goid  uint64 // with "stack"
	ptr   uint64
}

// dumpFrame is a stack frame of an allocation's memory profile: a function and where in it.
type dumpFrame struct {
	fn, file string
	line     int64
}

// heapDump is what the lens reads of one dump.
type heapDump struct {
	objects []dumpObject // by address
	roots   []dumpRoot
	// Where each sampled object was allocated: its profile bucket's stack,
	// innermost first, and the bucket (the runtime's, the same in every dump).
	sampled map[uint64][]dumpFrame
	bucket  map[uint64]uint64
	bytes   uint64
}

// find is the object p points into, if any.
func (d *heapDump) find(p uint64) (*dumpObject, bool) {
	i := sort.Search(len(d.objects), func(i int) bool { return d.objects[i].addr > p }) - 1
	if i < 0 || p >= d.objects[i].addr+d.objects[i].size {
		return nil, false
	}
	return &d.objects[i], true
}

// dumpReader reads one dump's records.
type dumpReader struct {
	r   *bufio.Reader
	buf []byte
	err error
}

func (r *dumpReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return v
}

// bytes reads a length-prefixed string into a reused buffer (valid until the next call).
func (r *dumpReader) bytes(max uint64) []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > max {
		r.err = fmt.Errorf("a string of %d bytes in the heap dump", n)
		return nil
	}
	if uint64(cap(r.buf)) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = err
		return nil
	}
	return b
}

func (r *dumpReader) skip(n int) {
	for range n {
		r.uvarint()
	}
}

// ptrFields reads a field list and returns the non-nil pointers it names in contents.
func (r *dumpReader) ptrFields(contents []byte, out []uint64) ([]uint64, bool) {
	any := false
	for r.err == nil {
		kind := r.uvarint()
		if kind == fieldKindEol {
			break
		}
		off := r.uvarint()
		any = true
		if kind == fieldKindPtr && off+8 <= uint64(len(contents)) {
			if p := binary.LittleEndian.Uint64(contents[off:]); p != 0 {
				out = append(out, p)
			}
		}
	}
	return out, any
}

// maxDumpString bounds one record's contents: an object, a frame or a segment.
const maxDumpString = 1 << 30

var errNotDump = errors.New("not a heap dump")

// readDump reads one dump from r, up to and including its end record.
// maxObjects bounds the objects kept: past it the rest is read and dropped,
// and over says so.
func readDump(br *bufio.Reader, maxObjects int) (d *heapDump, over bool, err error) {
	hdr := make([]byte, len(dumpHeader))
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, false, err
	}
	if string(hdr) != dumpHeader {
		return nil, false, errNotDump
	}
	p := &dumpParse{
		r:       &dumpReader{r: br},
		d:       &heapDump{sampled: map[uint64][]dumpFrame{}},
		buckets: map[uint64][]dumpFrame{},
		samples: map[uint64]uint64{},
		max:     maxObjects,
	}
	p.d.bucket = p.samples
	for p.r.err == nil {
		tag := p.r.uvarint()
		if tag != tagEOF {
			p.record(tag)
			continue
		}
		if p.r.err != nil {
			break
		}
		return p.finish(), p.over, nil
	}
	if errors.Is(p.r.err, io.EOF) {
		p.r.err = io.ErrUnexpectedEOF
	}
	return nil, p.over, p.r.err
}

// dumpParse is one dump being read: what its records leave for the ones after them.
type dumpParse struct {
	r       *dumpReader
	d       *heapDump
	buckets map[uint64][]dumpFrame // memory profile bucket -> its stack
	samples map[uint64]uint64      // object -> bucket
	goid    uint64                 // the goroutine whose frames follow
	max     int
	over    bool
}

// finish orders the objects by address and gives each sampled object its allocation stack.
func (p *dumpParse) finish() *heapDump {
	d := p.d
	sort.Slice(d.objects, func(i, j int) bool { return d.objects[i].addr < d.objects[j].addr })
	for obj, b := range p.samples {
		if stk, ok := p.buckets[b]; ok {
			d.sampled[obj] = stk
		}
	}
	return d
}

// record reads one record, its tag already read.
func (p *dumpParse) record(tag uint64) {
	r, d := p.r, p.d
	switch tag {
	case tagObject:
		addr := r.uvarint()
		contents := r.bytes(maxDumpString)
		size := uint64(len(contents))
		ptrs, scan := r.ptrFields(contents, nil)
		if len(d.objects) >= p.max {
			p.over = true
			return
		}
		d.objects = append(d.objects, dumpObject{addr: addr, size: size, ptrs: ptrs, scan: scan})
		d.bytes += size
	case tagOtherRoot:
		r.bytes(maxDumpString)
		if ptr := r.uvarint(); ptr != 0 {
			d.roots = append(d.roots, dumpRoot{place: "other", ptr: ptr})
		}
	case tagGoroutine:
		r.skip(2)
		p.goid = r.uvarint()
		r.skip(5)
		r.bytes(maxDumpString)
		r.skip(4)
	case tagStackFrame:
		r.skip(3)
		contents := append([]byte(nil), r.bytes(maxDumpString)...)
		r.skip(3)
		r.bytes(maxDumpString)
		ptrs, _ := r.ptrFields(contents, nil)
		for _, ptr := range ptrs {
			d.roots = append(d.roots, dumpRoot{place: "stack", goid: p.goid, ptr: ptr})
		}
	case tagData, tagBSS:
		r.skip(1)
		contents := append([]byte(nil), r.bytes(maxDumpString)...)
		ptrs, _ := r.ptrFields(contents, nil)
		for _, ptr := range ptrs {
			d.roots = append(d.roots, dumpRoot{place: "globals", ptr: ptr})
		}
	case tagMemProf:
		p.memProf()
	case tagAllocSample:
		obj := r.uvarint()
		p.samples[obj] = r.uvarint()
	default:
		if !skipRecord(r, tag) && r.err == nil {
			r.err = fmt.Errorf("record tag %d in the heap dump: not a format this probe reads", tag)
		}
	}
}

// memProf reads a memory profile bucket: an allocation stack the samples name.
func (p *dumpParse) memProf() {
	r := p.r
	b := r.uvarint()
	r.skip(1)
	n := r.uvarint()
	if n > 1024 {
		r.err = fmt.Errorf("a memory profile stack of %d frames in the heap dump", n)
		return
	}
	stk := make([]dumpFrame, 0, n)
	for range n {
		fn := string(r.bytes(4096))
		file := string(r.bytes(4096))
		stk = append(stk, dumpFrame{fn: fn, file: file, line: int64(r.uvarint())})
	}
	r.skip(2)
	p.buckets[b] = stk
}

// skipRecord reads past a record the lens has no use for; false for a tag it does not know.
func skipRecord(r *dumpReader, tag uint64) bool {
	switch tag {
	case tagType:
		r.skip(2)
		r.bytes(maxDumpString)
		r.skip(1)
	case tagParams:
		r.skip(4)
		r.bytes(maxDumpString)
		r.bytes(maxDumpString)
		r.skip(1)
	case tagFinalizer, tagQueuedFinalizer:
		r.skip(5)
	case tagItab:
		r.skip(2)
	case tagOSThread:
		r.skip(3)
	case tagMemStats:
		r.skip(memStatsWords)
	case tagDefer:
		r.skip(7)
	case tagPanic:
		r.skip(6)
	default:
		return false
	}
	return true
}
