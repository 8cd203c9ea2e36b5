package stream

import "unicode/utf8"

// The limits of the user.* events (kernel-bridge's src/protocol/events.ts:
// USER_NAME_MAX, USER_MESSAGE_MAX, USER_DEPTH_MAX). The program chooses the
// strings and how deep its regions go: both backends cut them here, the same
// way, so that they say the same of the same program.
const (
	UserNameMax    = 128
	UserMessageMax = 512
	UserDepthMax   = 64
	// maxTaskID is the protocol's largest id. runtime/trace numbers tasks
	// from 1 and would need 2^31 of them to pass it; an event with a larger
	// id was made up (a linkname call) and is left out.
	maxTaskID = 1<<31 - 1
	// maxOpenTasks bounds the tasks remembered for naming their ends: a
	// program that makes tasks and never ends them cannot grow the map
	// without end. A task past it ends with "" and 0 for its name and parent.
	maxOpenTasks = 1 << 16
)

// Clip cuts s to at most max bytes at a character boundary (a string a
// recorder read only the first max bytes of is cut the same way: an
// incomplete last character is dropped).
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return TrimPartialRune(s[:max])
}

// TrimPartialRune drops an incomplete character at the end of s: what is
// left of one a cut went through.
func TrimPartialRune(s string) string {
	for i := len(s) - 1; i >= 0 && i > len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return s[:i]
			}
			break
		}
	}
	return s
}

// Annotations turns a program's runtime/trace calls (tasks, regions, logs)
// into user.* events, the same way for both backends: it keeps each
// goroutine's open regions (for their depth, and for the end of a region
// whose End said nothing of it) and the open tasks' names (for their ends).
// Not safe for concurrent use.
type Annotations struct {
	tasks   map[uint64]openTask
	regions map[int64]*regionStack
}

type openTask struct {
	parent uint64
	name   string
}

// regionStack is one goroutine's open regions, outermost first. deeper
// counts those begun past UserDepthMax (not sent, not kept); hidden ones
// (a task id out of range) are kept so that their ends pop them.
type regionStack struct {
	open   []openRegion
	deeper int
}

type openRegion struct {
	task   uint64
	name   string
	hidden bool
}

// Send writes one event in the context of the call being mapped.
type Send func(kind string, fields ...Field)

// NewAnnotations starts with nothing open.
func NewAnnotations() *Annotations {
	return &Annotations{tasks: map[uint64]openTask{}, regions: map[int64]*regionStack{}}
}

// TaskBegin: trace.NewTask made task id, a child of parent (0: none).
func (a *Annotations) TaskBegin(send Send, id, parent uint64, name string) {
	if id == 0 || id > maxTaskID {
		return
	}
	if parent > maxTaskID {
		parent = 0
	}
	name = Clip(name, UserNameMax)
	if _, ok := a.tasks[id]; ok || len(a.tasks) < maxOpenTasks {
		a.tasks[id] = openTask{parent, name}
	}
	send("user.task", F("begin", true), F("task", int64(id)), F("parent", int64(parent)), F("name", name))
}

// TaskEnd: Task.End ended task id, said with its begin's name and parent when they are known.
func (a *Annotations) TaskEnd(send Send, id uint64) {
	if id == 0 || id > maxTaskID {
		return
	}
	t := a.tasks[id]
	delete(a.tasks, id)
	send("user.task", F("begin", false), F("task", int64(id)), F("parent", int64(t.parent)), F("name", t.name))
}

// Log: trace.Log on goroutine g (in the event's context) in task id.
func (a *Annotations) Log(send Send, id uint64, category, message string) {
	if id > maxTaskID {
		return
	}
	send("user.log", F("task", int64(id)), F("category", Clip(category, UserNameMax)),
		F("message", Clip(message, UserMessageMax)))
}

// RegionBegin: goroutine g began a region of task id.
func (a *Annotations) RegionBegin(send Send, g int64, id uint64, name string) {
	if g <= 0 {
		return
	}
	s := a.regions[g]
	if s == nil {
		s = &regionStack{}
		a.regions[g] = s
	}
	if len(s.open) >= UserDepthMax {
		s.deeper++
		return
	}
	depth := len(s.open)
	r := openRegion{task: id, name: Clip(name, UserNameMax), hidden: id > maxTaskID}
	s.open = append(s.open, r)
	if !r.hidden {
		send("user.region", F("begin", true), F("task", int64(id)), F("name", r.name), F("depth", int64(depth)))
	}
}

// RegionEnd: goroutine g ended its innermost open region (regions end last
// begun first; the eBPF backend's Region.End does not say which). A region
// begun before the recorder saw it ends unsaid.
func (a *Annotations) RegionEnd(send Send, g int64) {
	s := a.regions[g]
	switch {
	case s == nil:
		return
	case s.deeper > 0:
		s.deeper--
		return
	case len(s.open) == 0:
		return
	}
	depth := len(s.open) - 1
	r := s.open[depth]
	s.open = s.open[:depth]
	if !r.hidden {
		send("user.region", F("begin", false), F("task", int64(r.task)), F("name", r.name), F("depth", int64(depth)))
	}
}

// Exit: goroutine g ended; the regions it left open end with it, unsaid (the reducer does the same).
func (a *Annotations) Exit(g int64) { delete(a.regions, g) }
