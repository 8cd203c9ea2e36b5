package stream

import (
	"io"
	"unicode/utf8"
)

// Output is the program's output on its way to output events, for both
// backends. Output reaches the probe sooner than the events of what the
// program did before writing it, so it waits until they have caught up
// (Flush); but what waits is the program's to fill, so at most MaxHeld
// bytes do: past that the oldest goes out at once, a little early. With a
// limit, the run ends "output-limit" as soon as the program has written
// more than that, however its events fare. Not safe for concurrent use:
// the run's lock guards it.
type Output struct {
	// Limit is how many bytes the program may write, stdout and stderr
	// together (0: no limit); OnLimit is called once when it writes more.
	Limit   int64
	OnLimit func()
	// Emit sends one output event.
	Emit func(ts uint64, stream, data string)

	pending []output
	held    int   // bytes in pending
	written int64 // bytes the program wrote
	limited bool
}

// MaxHeld bounds the output waiting for events.
const MaxHeld = 256 << 10

// maxOutputEvent bounds the data of an output event made of several writes.
const maxOutputEvent = 64 << 10

type output struct {
	ts           uint64
	stream, data string
}

// Add takes what the program wrote on stream at ts.
func (o *Output) Add(ts uint64, stream, data string) {
	o.written += int64(len(data))
	if o.Limit > 0 && o.written > o.Limit && !o.limited {
		o.limited = true
		if o.OnLimit != nil {
			o.OnLimit()
		}
	}
	o.pending = append(o.pending, output{ts, stream, data})
	o.held += len(data)
	if o.held > MaxHeld {
		// Half of it, so that a steady stream goes out in large events, not one per write.
		o.emit(func(int) bool { return o.held > MaxHeld/2 })
	}
}

// Written is how many bytes the program wrote.
func (o *Output) Written() int64 { return o.written }

// Flush sends what was written up to upTo.
func (o *Output) Flush(upTo uint64) {
	o.emit(func(k int) bool { return o.pending[k].ts <= upTo })
}

// emit sends output from the oldest on while more(k) says entry k goes.
func (o *Output) emit(more func(k int) bool) {
	k := 0
	for k < len(o.pending) && more(k) {
		// Writes in a row on one stream, with no event between them, go out
		// as one event: the runtime writes a stack dump (SIGQUIT, a panic) a
		// few bytes at a time, which would make a thousand.
		first := o.pending[k]
		data := []byte(first.data)
		o.held -= len(first.data)
		for k++; k < len(o.pending) && more(k) && o.pending[k].stream == first.stream &&
			len(data)+len(o.pending[k].data) <= maxOutputEvent; k++ {
			data = append(data, o.pending[k].data...)
			o.held -= len(o.pending[k].data)
		}
		o.Emit(first.ts, first.stream, string(data))
	}
	// Let the sent entries go (re-slicing alone would keep them all reachable).
	clear(o.pending[:k])
	o.pending = o.pending[k:]
	if len(o.pending) == 0 {
		o.pending = nil
	}
}

// ReadOutput reads one of the program's streams until it ends and hands each
// read to add, cut so that no UTF-8 character is split between two (one
// split at a read's edge would become two U+FFFD in the events' JSON): the
// start of a character cut off at the end of a read waits for the next one.
// What is left at the end goes as it is.
func ReadOutput(r io.Reader, add func(data string)) {
	const chunk = 4096
	buf := make([]byte, chunk+utf8.UTFMax)
	carry := 0
	for {
		k, err := r.Read(buf[carry : carry+chunk])
		n := carry + k
		cut := n
		if err == nil {
			cut = completeUTF8(buf[:n])
		}
		if cut > 0 {
			add(string(buf[:cut]))
		}
		carry = copy(buf, buf[cut:n])
		if err != nil {
			return
		}
	}
}

// completeUTF8 is the length of b without the start of a UTF-8 character
// that b cuts off at its end (invalid bytes count as complete).
func completeUTF8(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}
