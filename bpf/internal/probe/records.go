package probe

import (
	"encoding/binary"
	"fmt"
)

// The record kinds and sizes (records_gen.go) are generated from the C:
// after a change to its enum kind, struct header or the sizes' #defines,
// run go generate here (ckinds says when it is stale).
//go:generate go run ../ckinds/gen c/slowmo.bpf.c records_gen.go

// record is one raw record from the ring buffer (struct header and its tail in the C code).
type record struct {
	ts      uint64
	kind    uint32
	tid     uint32
	m, p, g int64
	a       [headerArgs]uint64
	stack   []uint64 // kHeapAlloc: the allocation's return pcs; kPark: return addresses, innermost first; kRunqput from ready (a[3] = 1): the waker's
	goids   []uint64 // kGCBarrier: the write barrier's pointers; g pointers of kSteal: the goroutines taken, kOverflow: those moved, head first (goids once taken: normalizer.take), kRunq, kGlobalq, kInject, kBatch
	text    []byte   // user.bpf.c's records (user.go): the strings after the header; gc.bpf.c's span and sweep records: mark bits
}

func decode(raw []byte) (record, error) {
	if len(raw) < headerSize {
		return record{}, fmt.Errorf("short record: %d bytes", len(raw))
	}
	le := binary.LittleEndian
	r := record{
		ts:   le.Uint64(raw[0:]),
		kind: le.Uint32(raw[8:]),
		tid:  le.Uint32(raw[12:]),
		m:    int64(le.Uint64(raw[16:])),
		p:    int64(le.Uint64(raw[24:])),
		g:    int64(le.Uint64(raw[32:])),
	}
	for i := range r.a {
		r.a[i] = le.Uint64(raw[40+8*i:])
	}
	words := func(n int) ([]uint64, error) {
		if len(raw) < headerSize+8*n {
			return nil, fmt.Errorf("short record of kind %d: %d bytes", r.kind, len(raw))
		}
		out := make([]uint64, n)
		for i := range out {
			out[i] = le.Uint64(raw[headerSize+8*i:])
		}
		return out, nil
	}
	var err error
	switch r.kind {
	case kPark:
		r.stack, err = words(stackDepth)
	case kRunqput:
		if r.a[3] != 0 {
			r.stack, err = words(wakerDepth)
		}
	case kSteal, kOverflow:
		r.goids, err = words(int(min(r.a[2], goidsMax)))
	case kInject:
		r.goids, err = words(int(min(r.a[0], goidsMax)))
	case kBatch:
		r.goids, err = words(int(min(r.a[1], goidsMax)))
	case kRunq:
		r.goids, err = words(int(min(r.a[2], runqLen)))
	case kGlobalq:
		r.goids, err = words(int(min(r.a[1], globalqMax)))
	case kUserTask, kUserRegion, kUserLog, kGCSpan, kGCSweep:
		r.text = append([]byte(nil), raw[headerSize:]...) // raw is the ring's, reused
	case kHeapAlloc:
		r.stack, err = words(allocDepth)
	case kGCBarrier:
		r.goids, err = words(int(min(r.a[0], wbBufEntries)))
	}
	return r, err
}
