package stream

import (
	"encoding/json"
	"strconv"
)

// Event is one protocol event (docs/ARCHITECTURE.md, "The event model") on
// its way out as a JSON line. The common fields come first; Fields keep the
// order written. Which kinds and fields there are is kernel-bridge's
// src/protocol/events.ts: the Go tests check every event they see against
// the JSON Schema generated from it (schema/events.schema.json).
type Event struct {
	Seq    uint64
	T      int64
	Kind   string
	M, P   int64
	G      int64
	Fields []Field
}

// Field is one kind-specific field.
type Field struct {
	Name  string
	Value any
}

// F builds a field.
func F(name string, value any) Field { return Field{name, value} }

// AppendJSON appends the event as one JSON object (no newline).
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, e.T, 10)
	b = append(b, `,"kind":"`...)
	b = append(b, e.Kind...)
	b = append(b, `","m":`...)
	b = strconv.AppendInt(b, e.M, 10)
	b = append(b, `,"p":`...)
	b = strconv.AppendInt(b, e.P, 10)
	b = append(b, `,"g":`...)
	b = strconv.AppendInt(b, e.G, 10)
	for _, f := range e.Fields {
		b = append(b, ',', '"')
		b = append(b, f.Name...)
		b = append(b, '"', ':')
		switch v := f.Value.(type) {
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			b = appendString(b, v)
		case []int64:
			b = append(b, '[')
			for i, x := range v {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, x, 10)
			}
			b = append(b, ']')
		default:
			raw, err := json.Marshal(v)
			if err != nil {
				raw = []byte("null")
			}
			b = append(b, raw...)
		}
	}
	return append(b, '}')
}

// appendString appends v as a JSON string. Most of what the probes say (kinds
// of queue, wait reasons, file paths) needs no escaping and is copied as it
// is; anything else goes through encoding/json, which also makes invalid
// UTF-8 valid, as every string did before.
func appendString(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(v)
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}
