// Package schema checks events against the protocol's JSON Schema,
// events.schema.json, which kernel-bridge generates from its zod schemas
// (src/protocol/events.ts, `npm run gen:schema`) and checks up to date in
// its tests. The Go tests of both backends check every event they make
// against it (RunChecked), so an event the bridge would refuse, or a field
// it would drop, fails in Go before it reaches the bridge.
//
// The checker knows the keywords that file uses and no others: a schema
// with any other keyword fails to compile rather than be checked less than
// it says.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed events.schema.json
var eventsFile []byte

// Events is the events' schema; it panics if the file does not compile.
var Events = mustCompile(eventsFile)

func mustCompile(file []byte) *Schema {
	s, err := Compile(file)
	if err != nil {
		panic(fmt.Sprintf("events.schema.json: %v", err))
	}
	return s
}

// Schema is a compiled JSON Schema.
type Schema struct{ root *node }

// Compile reads a JSON Schema that uses only the keywords this checker knows.
func Compile(file []byte) (*Schema, error) {
	var raw map[string]any
	if err := decode(file, &raw); err != nil {
		return nil, err
	}
	root, err := compile(raw, "#")
	if err != nil {
		return nil, err
	}
	return &Schema{root}, nil
}

// Check checks one JSON value; the error names the first field that does
// not match (by its path, e.g. /fidelity/runq) and why.
func (s *Schema) Check(doc []byte) error {
	var v any
	if err := decode(doc, &v); err != nil {
		return err
	}
	return s.root.check(v)
}

// Kinds lists the event kinds: the constant each branch of the top-level
// oneOf gives "kind".
func (s *Schema) Kinds() []string {
	return sortedKeys(s.root.branches)
}

// Fields lists the fields of one kind's events; nil for an unknown kind.
func (s *Schema) Fields(kind string) []string {
	b := s.root.branches[kind]
	if b == nil {
		return nil
	}
	return sortedKeys(b.props)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decode reads JSON keeping numbers as written (json.Number).
func decode(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}
