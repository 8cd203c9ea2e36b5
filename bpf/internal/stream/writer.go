package stream

import (
	"bufio"
	"io"
)

// Writer writes a run's events as NDJSON. Emit numbers them (seq from 0
// without gaps) and times them (t in ns since the run began, never going
// back: records from different CPUs, or a trace's, can come a little out of
// order); Write takes an event a backend numbered itself. Not safe for
// concurrent use: the run's lock guards it.
type Writer struct {
	out   *bufio.Writer
	line  []byte
	began int64 // the run's time zero (Monotonic)
	seq   uint64
	lastT int64
	// divert, when set, takes each line instead of the output (paced mode
	// queues them and writes them out at its pace).
	divert func(e *Event, line []byte)
}

// Verify, when set, is shown every event line a Writer writes (without its
// newline). The Go tests set it (schema.RunChecked) to check each event
// against the protocol's schema; nil in the probe itself.
var Verify func(line []byte)

// NewWriter writes to out; began is the run's time zero (Monotonic).
func NewWriter(out io.Writer, began uint64) *Writer {
	return &Writer{out: bufio.NewWriterSize(out, 1<<16), began: int64(began)}
}

// Began is the run's time zero.
func (w *Writer) Began() uint64 { return uint64(w.began) }

// Emit numbers and times an event that happened at ts (Monotonic's clock) and writes it.
func (w *Writer) Emit(ts int64, kind string, m, p, g int64, fields ...Field) {
	t := max(ts-w.began, w.lastT)
	w.lastT = t
	e := Event{Seq: w.seq, T: t, Kind: kind, M: m, P: p, G: g, Fields: fields}
	w.seq++
	w.Write(&e)
}

// Write writes an event as it is.
func (w *Writer) Write(e *Event) {
	w.line = e.AppendJSON(w.line[:0])
	if Verify != nil {
		Verify(w.line)
	}
	w.line = append(w.line, '\n')
	if w.divert != nil {
		w.divert(e, w.line)
		return
	}
	_, _ = w.out.Write(w.line)
}

// Emitted is how many events Emit has numbered.
func (w *Writer) Emitted() uint64 { return w.seq }

// Divert hands every line from now on to divert instead of the output, and
// the output itself to whoever calls it, who then decides when it is
// flushed: the run no longer flushes it at its ticks.
func (w *Writer) Divert(divert func(e *Event, line []byte)) *bufio.Writer {
	w.divert = divert
	return w.out
}

// Live says whether the run flushes the output itself (nothing diverts it).
func (w *Writer) Live() bool { return w.divert == nil }

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.out.Flush() }
