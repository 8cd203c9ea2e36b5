package trace

import (
	xtrace "golang.org/x/exp/trace"

	"go-slowmo.dev/bpf/internal/stream"
)

// annotation maps the program's own runtime/trace annotations: tasks,
// regions and logs, as the tracer recorded them, through the same
// stream.Annotations as the eBPF backend's probes on the calls themselves.
func (mp *mapper) annotation(e xtrace.Event) {
	switch e.Kind() {
	case xtrace.EventTaskBegin:
		t := e.Task()
		mp.user.TaskBegin(mp.sendHere, taskID(t.ID), taskID(t.Parent), t.Type)
	case xtrace.EventTaskEnd:
		mp.user.TaskEnd(mp.sendHere, taskID(e.Task().ID))
	case xtrace.EventRegionBegin:
		r := e.Region()
		mp.user.RegionBegin(mp.sendHere, mp.g, taskID(r.Task), r.Type)
	case xtrace.EventRegionEnd:
		// The reader checked that it ends the goroutine's innermost region.
		mp.user.RegionEnd(mp.sendHere, mp.g)
	case xtrace.EventLog:
		l := e.Log()
		if l.Category == dumpLogCategory && mp.dumps != nil {
			mp.heapLimit()
			return
		}
		mp.user.Log(mp.sendHere, taskID(l.Task), l.Category, l.Message)
	}
}

// taskID is a task's id as the protocol says it: 0 for none or the background task.
func taskID(id xtrace.TaskID) uint64 {
	if id == xtrace.NoTask {
		return 0
	}
	return uint64(id)
}

// sendHere sends an event in the context of the trace event being mapped.
func (mp *mapper) sendHere(kind string, fields ...stream.Field) {
	mp.send(mp.here(), kind, nil, fields...)
}
