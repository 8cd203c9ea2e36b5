// Package perturb changes a program's schedule where the learner asks, so
// that a rare interleaving can be made to happen: at the start of a chosen
// line's statement the program yields (runtime.Gosched) or sleeps. The call
// is inserted on that same line, before the statement's first token, and
// goes to a helper added to the package in its own file (HelperFile), so no
// line moves and the learner's imports stay as written. The probes skip the
// helper's frames (IsHelperFunc): an event inside it is the learner's line.
package perturb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// HelperFile is the added file's name. It sorts after the other helpers
// (0000_slowmo_trace.go, 0001_slowmo_heapdump.go, 0002_slowmo_profile.go).
const HelperFile = "0003_slowmo_perturb.go"

// FuncPrefix begins the names of the helper's functions.
const FuncPrefix = "slowmoPerturb"

// SleepMax bounds a pause: it runs each time the line does, in a run with a time limit.
const SleepMax = time.Second

// Kind is what happens at the line.
type Kind string

const (
	// Yield gives the P to another goroutine (runtime.Gosched).
	Yield Kind = "yield"
	// Sleep parks the goroutine for a while (time.Sleep).
	Sleep Kind = "sleep"
)

// At is one perturbation: a line of a file of the program and what happens there.
type At struct {
	File  string
	Line  int
	Kind  Kind
	Sleep time.Duration
}

// String is the form ParseAt reads: main.go:12:yield, main.go:12:sleep=1ms.
func (a At) String() string {
	if a.Kind == Sleep {
		return fmt.Sprintf("%s:%d:sleep=%s", a.File, a.Line, a.Sleep)
	}
	return fmt.Sprintf("%s:%d:%s", a.File, a.Line, a.Kind)
}

// call is the statement inserted before the line's own.
func (a At) call() string {
	if a.Kind == Sleep {
		return fmt.Sprintf("%sSleep(%d); ", FuncPrefix, a.Sleep.Nanoseconds())
	}
	return FuncPrefix + "Yield(); "
}

var atForm = regexp.MustCompile(`^(.+):(\d+):(yield|sleep=(.+))$`)

// ParseAt reads FILE:LINE:yield or FILE:LINE:sleep=DURATION (a Go duration, up to SleepMax).
func ParseAt(s string) (At, error) {
	m := atForm.FindStringSubmatch(s)
	if m == nil {
		return At{}, bad("%q: give FILE:LINE:yield or FILE:LINE:sleep=DURATION (e.g. main.go:12:sleep=1ms)", s)
	}
	line, err := strconv.Atoi(m[2])
	if err != nil || line < 1 {
		return At{}, bad("%q: the line is a number from 1", s)
	}
	at := At{File: m[1], Line: line, Kind: Yield}
	if m[4] != "" {
		d, err := time.ParseDuration(m[4])
		if err != nil || d <= 0 || d > SleepMax {
			return At{}, bad("%q: the pause is a duration from 1ns to %s, e.g. 1ms or 200us", s, SleepMax)
		}
		at.Kind, at.Sleep = Sleep, d
	}
	return at, nil
}

// helperSource is the added file, in the package of the perturbed files.
// The functions are never inlined: the probes find the learner's line as
// the caller's frame, one above the helper's.
func helperSource(pkg string) string {
	return `// Code added by slowmo (schedule perturbation). DO NOT EDIT.

package ` + pkg + `

import (
	slowmoPerturbRuntime "runtime"
	slowmoPerturbTime "time"
)

//go:noinline
func ` + FuncPrefix + `Yield() { slowmoPerturbRuntime.Gosched() }

//go:noinline
func ` + FuncPrefix + `Sleep(ns int64) { slowmoPerturbTime.Sleep(slowmoPerturbTime.Duration(ns)) }
`
}

// IsHelperFunc says whether a function (as the symbol table names it) is the helper's.
func IsHelperFunc(fn string) bool {
	dot := strings.LastIndex(fn, ".")
	return dot >= 0 && strings.HasPrefix(fn[dot+1:], FuncPrefix)
}

// BadInput is an error the learner fixes: a line that cannot be perturbed, a malformed request.
type BadInput struct{ msg string }

func (e *BadInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return &BadInput{fmt.Sprintf(format, args...)} }

// IsBadInput says whether err is the learner's to fix.
func IsBadInput(err error) bool {
	var b *BadInput
	return errors.As(err, &b)
}
