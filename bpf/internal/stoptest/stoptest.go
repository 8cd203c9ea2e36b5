// Package stoptest holds what both backends' tests of a stopped program
// share: stopping a program once it is known to be in its loop, and reading
// the Go runtime's SIGQUIT stack dump it must print before it ends.
package stoptest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// LineOf is the 1-based line of the file at path that holds marker.
func LineOf(t *testing.T, path, marker string) int {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %q in %s", marker, path)
	return 0
}

// StopAfter passes writes to w and closes the returned channel a while
// after text has gone by: stopped before its runtime is up, a program has no
// stacks to print, so the stop waits for the program to say it is running.
func StopAfter(w io.Writer, text string, after time.Duration) (io.Writer, <-chan struct{}) {
	stop := make(chan struct{})
	var once sync.Once
	return &watchFor{w: w, text: []byte(text), then: func() {
		once.Do(func() { time.AfterFunc(after, func() { close(stop) }) })
	}}, stop
}

type watchFor struct {
	w    io.Writer
	text []byte
	then func()
}

func (x *watchFor) Write(p []byte) (int, error) {
	if bytes.Contains(p, x.text) {
		x.then()
	}
	return x.w.Write(p)
}

var (
	header    = regexp.MustCompile(`goroutine 1 [^\n]*\[(running|runnable)\]:`)
	complete  = regexp.MustCompile(`\ngs +0x[0-9a-f]+\n$`)
	elsewhere = regexp.MustCompile(`goroutine 1 [^\n]*\[running\]:\n\tgoroutine running on other thread; stack unavailable\n`)
)

// CheckDump fails t unless stderr holds the whole stack dump, with goroutine
// 1 in fn (e.g. "main.main") at main.go's line loop. The runtime prints in
// full only the goroutine on the thread that took the signal: with
// mayBeElsewhere (the trace backend, which can only guess that thread while
// the tracer moves goroutines between threads), goroutine 1 may instead read
// "goroutine running on other thread; stack unavailable".
func CheckDump(t *testing.T, stderr, fn string, loop int, mayBeElsewhere bool) {
	t.Helper()
	frame := regexp.MustCompile(fmt.Sprintf(`%s\(\)\n\t\S*main\.go:%d `, regexp.QuoteMeta(fn), loop))
	at := frame.MatchString(stderr) || mayBeElsewhere && elsewhere.MatchString(stderr)
	if !strings.HasPrefix(stderr, "SIGQUIT: quit") || !header.MatchString(stderr) || !at {
		t.Fatalf("stderr should hold the stack dump with goroutine 1 at main.go:%d:\n%s", loop, stderr)
	}
	// Whole, to the registers it ends with: the program ended of the quit,
	// not of a kill after the grace.
	if !complete.MatchString(stderr) {
		t.Fatalf("the dump is cut short:\n%s", stderr)
	}
}
