package probe

import "go-slowmo.dev/bpf/internal/stream"

// The normalizer writes stream's events; these names keep its code as it is.
type (
	Event = stream.Event
	Field = stream.Field
)

// F builds a field.
func F(name string, value any) Field { return stream.F(name, value) }
