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
	r := &dumpReader{r: br}
	buckets := map[uint64][]dumpFrame{}
	samples := map[uint64]uint64{} // object -> bucket
	d = &heapDump{sampled: map[uint64][]dumpFrame{}, bucket: samples}
	var goid uint64 // the goroutine whose frames follow
	for r.err == nil {
		switch tag := r.uvarint(); tag {
		case tagEOF:
			if r.err != nil {
				break
			}
			sort.Slice(d.objects, func(i, j int) bool { return d.objects[i].addr < d.objects[j].addr })
			for obj, b := range samples {
				if stk, ok := buckets[b]; ok {
					d.sampled[obj] = stk
				}
			}
			return d, over, nil
		case tagObject:
			addr := r.uvarint()
			contents := r.bytes(maxDumpString)
			size := uint64(len(contents))
			ptrs, scan := r.ptrFields(contents, nil)
			if len(d.objects) >= maxObjects {
				over = true
				continue
			}
			d.objects = append(d.objects, dumpObject{addr: addr, size: size, ptrs: ptrs, scan: scan})
			d.bytes += size
		case tagOtherRoot:
			r.bytes(maxDumpString)
			if p := r.uvarint(); p != 0 {
				d.roots = append(d.roots, dumpRoot{place: "other", ptr: p})
			}
		case tagType:
			r.skip(2)
			r.bytes(maxDumpString)
			r.skip(1)
		case tagGoroutine:
			r.skip(2)
			goid = r.uvarint()
			r.skip(5)
			r.bytes(maxDumpString)
			r.skip(4)
		case tagStackFrame:
			r.skip(3)
			contents := append([]byte(nil), r.bytes(maxDumpString)...)
			r.skip(3)
			r.bytes(maxDumpString)
			ptrs, _ := r.ptrFields(contents, nil)
			for _, p := range ptrs {
				d.roots = append(d.roots, dumpRoot{place: "stack", goid: goid, ptr: p})
			}
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
		case tagData, tagBSS:
			r.skip(1)
			contents := append([]byte(nil), r.bytes(maxDumpString)...)
			ptrs, _ := r.ptrFields(contents, nil)
			for _, p := range ptrs {
				d.roots = append(d.roots, dumpRoot{place: "globals", ptr: p})
			}
		case tagDefer:
			r.skip(7)
		case tagPanic:
			r.skip(6)
		case tagMemProf:
			b := r.uvarint()
			r.skip(1)
			n := r.uvarint()
			if n > 1024 {
				r.err = fmt.Errorf("a memory profile stack of %d frames in the heap dump", n)
				break
			}
			stk := make([]dumpFrame, 0, n)
			for range n {
				fn := string(r.bytes(4096))
				file := string(r.bytes(4096))
				stk = append(stk, dumpFrame{fn: fn, file: file, line: int64(r.uvarint())})
			}
			r.skip(2)
			buckets[b] = stk
		case tagAllocSample:
			obj := r.uvarint()
			samples[obj] = r.uvarint()
		default:
			if r.err == nil {
				r.err = fmt.Errorf("record tag %d in the heap dump: not a format this probe reads", tag)
			}
		}
	}
	if errors.Is(r.err, io.EOF) {
		r.err = io.ErrUnexpectedEOF
	}
	return nil, over, r.err
}
