package schema

import (
	"bytes"
	"strings"
	"testing"

	"go-slowmo.dev/bpf/internal/profile"
	"go-slowmo.dev/bpf/internal/stream"
)

// valid is one event of each kind the probes make, as they write them.
var valid = map[string][]stream.Field{
	"run.start": {stream.F("goVersion", "go1.26.1"), stream.F("gomaxprocs", 2), stream.F("backend", "ebpf"),
		stream.F("fidelity", map[string]bool{"runq": true, "runnext": true, "steals": true, "lines": false}),
		stream.F("paced", map[string]string{"sysmon": "hide-pauses"})},
	"g.create": {stream.F("goid", int64(7)), stream.F("parent", int64(1)), stream.F("fn", "main.main.func1"),
		stream.F("file", "/src/main.go"), stream.F("line", int64(12))},
	"g.runnable": {stream.F("goid", int64(7)), stream.F("queue", "runnext"), stream.F("qp", int64(0)),
		stream.F("reason", "ready"), stream.F("by", int64(1)), stream.F("file", "/src/main.go"), stream.F("line", int64(14)),
		stream.F("inferred", true)},
	"g.running":      {stream.F("goid", int64(7)), stream.F("inheritTime", false)},
	"g.waiting":      {stream.F("goid", int64(7)), stream.F("reason", "chan receive")},
	"g.syscall":      {stream.F("goid", int64(7))},
	"g.syscall.exit": {stream.F("goid", int64(7))},
	"g.exit":         {stream.F("goid", int64(7))},
	"steal":          {stream.F("thief", int64(1)), stream.F("victim", int64(0)), stream.F("goids", []int64{7, 8})},
	"p.state":        {stream.F("state", "idle"), stream.F("pm", int64(-1))},
	"m.state":        {stream.F("state", "spinning")},
	"runq":           {stream.F("qp", int64(0)), stream.F("runnext", int64(0)), stream.F("goids", []int64{})},
	"globalq":        {stream.F("goids", []int64{9}), stream.F("more", int64(3))},
	"gc":             {stream.F("phase", "mark")},
	"stw":            {stream.F("begin", true), stream.F("reason", "GC mark termination")},
	"line":           {stream.F("goid", int64(7)), stream.F("file", "/src/main.go"), stream.F("line", int64(3))},
	"output":         {stream.F("stream", "stdout"), stream.F("data", "héllo\n")},
	"user.task": {stream.F("begin", true), stream.F("task", int64(3)), stream.F("parent", int64(1)),
		stream.F("name", "request 3")},
	"user.region": {stream.F("begin", false), stream.F("task", int64(3)), stream.F("name", "fetch"),
		stream.F("depth", int64(1))},
	"user.log": {stream.F("task", int64(0)), stream.F("category", ""), stream.F("message", "done")},
	// The GC lens (probe/gcevents.go).
	"heap.alloc": {stream.F("addr", int64(824634335232)), stream.F("size", int64(16)), stream.F("noscan", false),
		stream.F("file", "/src/main.go"), stream.F("line", int64(18)), stream.F("fn", "main.build")},
	"gc.color": {stream.F("addr", int64(824634335232)), stream.F("color", "grey"), stream.F("by", "mark"),
		stream.F("root", "stack"), stream.F("rootG", int64(1))},
	"heap.edge": {stream.F("to", int64(824634335232)), stream.F("from", int64(824634335248))},
	"gc.span": {stream.F("base", int64(824634327040)), stream.F("size", int64(16)),
		stream.F("objects", []int64{824634335232})},
	"heap.free":  {stream.F("addr", int64(824634335232)), stream.F("size", int64(16))},
	"heap.limit": {stream.F("objects", int64(20000))},
	"heap.dump": {stream.F("n", int64(2)), stream.F("moment", "after-gc"), stream.F("cycle", int64(1)),
		stream.F("file", "main.go"), stream.F("line", int64(30)), stream.F("objects", int64(1500)),
		stream.F("bytes", int64(24000))},
	"heap.size": {stream.F("live", int64(4194304)), stream.F("goal", int64(8388608))},
	// The runtime's profiles (profile/).
	"profile": {stream.F("profile", "block"), stream.F("unit", "nanoseconds"),
		stream.F("frames", []stream.ProfileFrame{{Fn: "main.wait", File: "/src/main.go", Line: 14}}),
		stream.F("samples", []stream.ProfileSample{{Stack: []int{0}, Value: 2e7}}), stream.F("truncated", false)},
	// The runtime's leak report (profile/leak.go), as its producer makes it.
	"leak.report": profile.LeakFields(&profile.LeakReport{Total: 1, Goroutines: []profile.LeakedGoroutine{
		{Goid: 19, WaitReason: "chan send", Frames: []stream.ProfileFrame{{Fn: "main.worker", File: "/src/main.go", Line: 13}}}}}),
	// The runtime's own lines, which the bridge reads from the program's stderr (no probe makes them).
	"schedtrace": {stream.F("at", int64(1000000)), stream.F("uptimeMs", int64(10)), stream.F("gomaxprocs", int64(2)),
		stream.F("idleprocs", int64(0)), stream.F("threads", int64(5)), stream.F("spinningthreads", int64(0)),
		stream.F("idlethreads", int64(2)), stream.F("runqueue", int64(0)), stream.F("runqs", []int64{1, 0})},
	"gctrace": {stream.F("at", int64(2000000)), stream.F("cycle", int64(1)), stream.F("startS", 0.004),
		stream.F("cpuPercent", int64(2)),
		stream.F("clockMs", map[string]float64{"sweepTerm": 0.01, "mark": 0.25, "markTerm": 0.003}),
		stream.F("cpuMs", map[string]float64{"sweepTerm": 0.02, "assist": 0.1, "background": 0.15, "idle": 0.04, "markTerm": 0.007}),
		stream.F("heapMB", map[string]int64{"start": 3, "end": 4, "live": 1}), stream.F("goalMB", int64(4)),
		stream.F("stacksMB", int64(0)), stream.F("globalsMB", int64(0)), stream.F("procs", int64(2)), stream.F("forced", false)},
	// The race detector's reports, which the bridge reads from the stderr of a -race build.
	"race": {stream.F("at", int64(1500000)), stream.F("addr", "0x00c000094028"),
		stream.F("accesses", []map[string]any{
			{"goroutine": 8, "goid": 21, "op": "read", "previous": false, "fn": "main.main.func1",
				"file": "main.go", "line": 16, "created": map[string]any{"fn": "main.main", "file": "main.go", "line": 13}},
			{"goroutine": 7, "op": "write", "atomic": true, "previous": true, "fn": "main.main.func1",
				"file": "main.go", "line": 17}})},
	"run.end": {stream.F("exitCode", 0), stream.F("signal", nil), stream.F("lost", int64(0)),
		stream.F("reason", "exit"), stream.F("throttledMs", int64(0))},
}

func line(kind string, fields ...stream.Field) []byte {
	e := stream.Event{Seq: 3, T: 1500, Kind: kind, M: 0, P: -1, G: 0, Fields: fields}
	return e.AppendJSON(nil)
}

// with is the valid kind's fields with one replaced (or added, or, value nil and drop, left out).
func with(kind, name string, value any, drop bool) []byte {
	var fields []stream.Field
	found := false
	for _, f := range valid[kind] {
		if f.Name == name {
			found = true
			if drop {
				continue
			}
			f.Value = value
		}
		fields = append(fields, f)
	}
	if !found {
		fields = append(fields, stream.F(name, value))
	}
	return line(kind, fields...)
}

func TestEveryKindIsKnownAndItsEventsPass(t *testing.T) {
	if got, want := strings.Join(Events.Kinds(), " "), strings.Join(sortedKeys(valid), " "); got != want {
		t.Fatalf("the schema's kinds are\n  %s\nthe test's\n  %s", got, want)
	}
	for kind, fields := range valid {
		if err := Events.Check(line(kind, fields...)); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func TestWrongEventsFail(t *testing.T) {
	cases := []struct {
		name, want string
		line       []byte
	}{
		{"a required field missing", `no "reason"`, with("g.runnable", "reason", nil, true)},
		{"a common field missing", `no "seq"`, []byte(`{"t":0,"kind":"gc","m":0,"p":0,"g":0,"phase":"off"}`)},
		{"a field of the wrong type", `/goid: "7" is a JSON string, not integer`, with("g.exit", "goid", "7", false)},
		{"a fraction for an integer", `/line: 1.5 is a JSON number, not integer`, with("line", "line", 1.5, false)},
		{"an unknown kind", `/kind: kind "g.runable" is none of`, line("g.runable", valid["g.runnable"]...)},
		{"a field the kind does not have", `"goids" is not a field the schema has`, with("g.exit", "goids", []int64{7}, false)},
		{"a value out of its enum", `/queue: "lcoal" is none of`, with("g.runnable", "queue", "lcoal", false)},
		{"below the minimum", `/goid: 0 is below the minimum 1`, with("g.exit", "goid", int64(0), false)},
		{"above the maximum", `/p: 1024 is above the maximum 1023`, []byte(`{"seq":0,"t":0,"kind":"gc","m":0,"p":1024,"g":0,"phase":"off"}`)},
		{"a nested object's unknown field", `/fidelity: "lines " is not a field`, with("run.start", "fidelity", map[string]bool{"runq": true, "runnext": true, "steals": true, "lines": true, "lines ": true}, false)},
		{"a nested object's missing field", `/fidelity: no "lines"`, with("run.start", "fidelity", map[string]bool{"runq": true, "runnext": true, "steals": true}, false)},
		{"an array item out of range", `/goids/1: -2 is below the minimum 1`, with("steal", "goids", []int64{7, -2}, false)},
		{"an array too short", `/goids: 0 items, outside [1,`, with("steal", "goids", []int64{}, false)},
		{"a null where none may be", `/exitCode: <nil> is a JSON null, not integer`, with("run.end", "exitCode", nil, false)},
		{"not one of a nullable's types", `/lost: -1 matches none of anyOf`, with("run.end", "lost", int64(-1), false)},
		{"a string longer than its limit", `/message: "` + strings.Repeat("x", 8), with("user.log", "message", strings.Repeat("x", stream.UserMessageMax+1), false)},
		{"a region deeper than its limit", `/depth: 64 is above the maximum 63`, with("user.region", "depth", int64(stream.UserDepthMax), false)},
	}
	for _, c := range cases {
		err := Events.Check(c.line)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %s\n  got %v, want an error saying %q", c.name, c.line, err, c.want)
		}
	}
	// What may be null is accepted as null.
	if err := Events.Check(with("run.end", "lost", nil, false)); err != nil {
		t.Errorf("run.end with lost null: %v", err)
	}
}

// A keyword the checker does not know would be a rule it does not check:
// the schema does not compile at all.
func TestUnknownKeywordsDoNotCompile(t *testing.T) {
	for _, s := range []string{
		`{"type":"string","pattern":"^a"}`,
		`{"type":"object","additionalProperties":true}`,
		`{"type":"object","properties":{"x":{"type":"integer","exclusiveMinimum":0}}}`,
		`{"type":"uint"}`,
	} {
		if _, err := Compile([]byte(s)); err == nil {
			t.Errorf("%s compiled", s)
		}
	}
}

type runner func() int

func (r runner) Run() int { return r() }

// RunChecked fails a package whose tests pass but made an event that does
// not match, through any stream.Writer.
func TestRunCheckedFailsOnAWrongEvent(t *testing.T) {
	write := func(kind string, fields ...stream.Field) runner {
		return func() int {
			var out bytes.Buffer
			w := stream.NewWriter(&out, 0)
			w.Emit(10, "run.start", -1, -1, 0, valid["run.start"]...)
			w.Emit(20, kind, 0, 0, 1, fields...)
			_ = w.Flush()
			return 0
		}
	}
	var report strings.Builder
	if code := runChecked(write("g.exit", valid["g.exit"]...), &report); code != 0 || !strings.Contains(report.String(), "the 2 events") {
		t.Fatalf("good events: exit code %d, report %q", code, report.String())
	}
	report.Reset()
	if code := runChecked(write("g.exit", stream.F("goid", int64(7)), stream.F("reason", "done")), &report); code != 1 {
		t.Fatalf("an event with a field g.exit does not have: exit code %d, want 1", code)
	}
	if said := report.String(); !strings.Contains(said, `1 of the 2 events`) || !strings.Contains(said, `"reason" is not a field`) {
		t.Fatalf("the report does not say which event is wrong and why:\n%s", said)
	}
	if code := runChecked(runner(func() int { return 3 }), &report); code != 3 {
		t.Fatalf("failing tests: exit code %d, want theirs, 3", code)
	}
	if stream.Verify != nil {
		t.Fatal("RunChecked left its check on")
	}
}

// The limits stream.Annotations cuts to are the protocol's own: a string
// of exactly the limit passes, one more fails (TestWrongEventsFail).
func TestAnnotationLimitsAreTheSchemas(t *testing.T) {
	for _, c := range [][]byte{
		with("user.log", "message", strings.Repeat("é", stream.UserMessageMax/2), false),
		with("user.log", "category", strings.Repeat("x", stream.UserNameMax), false),
		with("user.task", "name", strings.Repeat("x", stream.UserNameMax), false),
		with("user.region", "depth", int64(stream.UserDepthMax-1), false),
	} {
		if err := Events.Check(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	if Events.Check(with("user.task", "name", strings.Repeat("x", stream.UserNameMax+1), false)) == nil {
		t.Errorf("a name of %d bytes passes", stream.UserNameMax+1)
	}
}
