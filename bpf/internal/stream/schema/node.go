package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// node is one compiled (sub)schema.
type node struct {
	types              []string // empty: any
	minimum, maximum   *float64
	minLength          int
	maxLength          int // -1: none
	minItems, maxItems int // maxItems -1: none
	enum               []any
	hasConst           bool
	constant           any
	items              *node
	props              map[string]*node
	required           []string
	closed             bool // additionalProperties: false
	anyOf              []*node
	oneOf              []*node
	// A oneOf whose branches are objects told apart by one property's
	// constant (the events' "kind"): that property and its branches.
	discriminator string
	branches      map[string]*node
}

// ignored are annotations, which say nothing about what is valid.
var ignored = map[string]bool{"$schema": true, "$comment": true, "title": true, "description": true}

func compile(raw map[string]any, at string) (*node, error) {
	n := &node{maxLength: -1, maxItems: -1}
	for key, v := range raw {
		if ignored[key] {
			continue
		}
		if err := n.keyword(key, v, at); err != nil {
			return nil, err
		}
	}
	if len(n.oneOf) > 0 {
		n.discriminate()
	}
	return n, nil
}

// keyword compiles one keyword of the schema at at.
func (n *node) keyword(key string, v any, at string) error {
	var err error
	switch key {
	case "type":
		n.types, err = typeNames(v)
	case "minimum", "maximum":
		f, ok := number(v)
		if !ok {
			return fmt.Errorf("%s/%s: not a number", at, key)
		}
		if key == "minimum" {
			n.minimum = &f
		} else {
			n.maximum = &f
		}
	case "minLength", "maxLength", "minItems", "maxItems":
		err = n.count(key, v)
	case "enum":
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s/enum: not an array", at)
		}
		n.enum = list
	case "const":
		n.hasConst, n.constant = true, v
	case "items":
		n.items, err = sub(v, at+"/items")
	case "properties":
		err = n.properties(v, at)
	case "required":
		n.required, err = stringList(v)
	case "additionalProperties":
		if v != false {
			return fmt.Errorf("%s/additionalProperties: only false is known", at)
		}
		n.closed = true
	case "anyOf", "oneOf":
		var list []*node
		list, err = subs(v, at+"/"+key)
		if key == "anyOf" {
			n.anyOf = list
		} else {
			n.oneOf = list
		}
	default:
		return fmt.Errorf("%s: keyword %q is not one this checker knows", at, key)
	}
	if err != nil {
		return fmt.Errorf("%s/%s: %w", at, key, err)
	}
	return nil
}

func (n *node) count(key string, v any) error {
	f, ok := number(v)
	if !ok || f < 0 || f != math.Trunc(f) {
		return fmt.Errorf("not a count")
	}
	switch key {
	case "minLength":
		n.minLength = int(f)
	case "maxLength":
		n.maxLength = int(f)
	case "minItems":
		n.minItems = int(f)
	case "maxItems":
		n.maxItems = int(f)
	}
	return nil
}

func (n *node) properties(v any, at string) error {
	props, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	n.props = map[string]*node{}
	for name, p := range props {
		var err error
		if n.props[name], err = sub(p, at+"/properties/"+name); err != nil {
			return err
		}
	}
	return nil
}

// discriminate finds the property whose constant tells the branches of oneOf apart.
func (n *node) discriminate() {
	for name, p := range n.oneOf[0].props {
		if !p.hasConst {
			continue
		}
		branches := map[string]*node{}
		for _, b := range n.oneOf {
			c, ok := b.props[name]
			s, isString := c.constantString()
			if !ok || !isString || branches[s] != nil {
				branches = nil
				break
			}
			branches[s] = b
		}
		if branches != nil {
			n.discriminator, n.branches = name, branches
			return
		}
	}
}

func (n *node) constantString() (string, bool) {
	if n == nil || !n.hasConst {
		return "", false
	}
	s, ok := n.constant.(string)
	return s, ok
}

func sub(v any, at string) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a schema", at)
	}
	return compile(m, at)
}

func subs(v any, at string) ([]*node, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("not a non-empty array")
	}
	out := make([]*node, len(list))
	for i, s := range list {
		var err error
		if out[i], err = sub(s, at+"/"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func typeNames(v any) ([]string, error) {
	if s, ok := v.(string); ok {
		v = []any{s}
	}
	names, err := stringList(v)
	for _, t := range names {
		switch t {
		case "null", "boolean", "integer", "number", "string", "array", "object":
		default:
			return nil, fmt.Errorf("unknown type %q", t)
		}
	}
	return names, err
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not an array")
	}
	out := make([]string, len(list))
	for i, x := range list {
		if out[i], ok = x.(string); !ok {
			return nil, fmt.Errorf("not an array of strings")
		}
	}
	return out, nil
}

// number reads a JSON number (json.Number) as a float64.
func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

// typeOf is the JSON type of a decoded value; a number with no fraction is an integer.
func typeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if f, ok := number(x); ok && f == math.Trunc(f) && !math.IsInf(f, 0) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// equal compares decoded JSON values (numbers by value).
func equal(a, b any) bool {
	fa, okA := number(a)
	fb, okB := number(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func runes(s string) int { return utf8.RuneCountInString(s) }
