package schema

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// checkError says why a value does not match, and where: the path is built
// on the way out of the failing check (innermost first), so a value that
// matches costs no path at all.
type checkError struct {
	path []string // innermost first
	msg  string
}

func (e *checkError) Error() string {
	if len(e.path) == 0 {
		return "the event: " + e.msg
	}
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		b.WriteString("/" + e.path[i])
	}
	return b.String() + ": " + e.msg
}

func fail(format string, args ...any) error { return &checkError{msg: fmt.Sprintf(format, args...)} }

// within puts err, from a check of a part, at that part.
func within(part string, err error) error {
	e := err.(*checkError)
	e.path = append(e.path, part)
	return e
}

// check says why v does not match n; nil when it does.
func (n *node) check(v any) error {
	if err := n.checkType(v); err != nil {
		return err
	}
	if n.hasConst && !equal(v, n.constant) {
		return fail("%s, not %s", show(v), show(n.constant))
	}
	if len(n.enum) > 0 && !slices.ContainsFunc(n.enum, func(e any) bool { return equal(v, e) }) {
		return fail("%s is none of %s", show(v), show(n.enum))
	}
	var err error
	switch x := v.(type) {
	case map[string]any:
		err = n.checkObject(x)
	case []any:
		err = n.checkArray(x)
	case string:
		if runes(x) < n.minLength || n.maxLength >= 0 && runes(x) > n.maxLength {
			err = fail("%s has a length outside [%d, %d]", show(x), n.minLength, n.maxLength)
		}
	default:
		err = n.checkNumber(v)
	}
	if err != nil {
		return err
	}
	return n.checkOf(v)
}

func (n *node) checkType(v any) error {
	if len(n.types) == 0 {
		return nil
	}
	t := typeOf(v)
	for _, want := range n.types {
		if want == t || want == "number" && t == "integer" {
			return nil
		}
	}
	return fail("%s is a JSON %s, not %s", show(v), t, strings.Join(n.types, " or "))
}

func (n *node) checkNumber(v any) error {
	f, ok := number(v)
	if !ok {
		return nil
	}
	if n.minimum != nil && f < *n.minimum {
		return fail("%s is below the minimum %v", show(v), *n.minimum)
	}
	if n.maximum != nil && f > *n.maximum {
		return fail("%s is above the maximum %v", show(v), *n.maximum)
	}
	return nil
}

func (n *node) checkObject(o map[string]any) error {
	if n.props == nil && !n.closed {
		return nil
	}
	var wrong []string // the fields that do not match: the first by name is said
	for name, v := range o {
		p, known := n.props[name]
		if !known && n.closed || known && p.check(v) != nil {
			wrong = append(wrong, name)
		}
	}
	if len(wrong) > 0 {
		sort.Strings(wrong)
		p, known := n.props[wrong[0]]
		if !known {
			return fail("%q is not a field the schema has", wrong[0])
		}
		return within(wrong[0], p.check(o[wrong[0]]))
	}
	for _, name := range n.required {
		if _, ok := o[name]; !ok {
			return fail("no %q, which is required", name)
		}
	}
	return nil
}

func (n *node) checkArray(a []any) error {
	if len(a) < n.minItems || n.maxItems >= 0 && len(a) > n.maxItems {
		return fail("%d items, outside [%d, %d]", len(a), n.minItems, n.maxItems)
	}
	if n.items != nil {
		for i, x := range a {
			if err := n.items.check(x); err != nil {
				return within(strconv.Itoa(i), err)
			}
		}
	}
	return nil
}

// checkOf checks anyOf and oneOf. A oneOf told apart by a constant (the
// events' kind) checks the one branch with that constant, so that the
// error is that branch's.
func (n *node) checkOf(v any) error {
	if len(n.anyOf) > 0 && n.matching(n.anyOf, v) == 0 {
		return fail("%s matches none of anyOf", show(v))
	}
	if len(n.oneOf) == 0 {
		return nil
	}
	if o, ok := v.(map[string]any); ok && n.branches != nil {
		c, _ := o[n.discriminator].(string)
		b := n.branches[c]
		if b == nil {
			return within(n.discriminator, fail("%s %s is none of %s", n.discriminator, show(o[n.discriminator]), show(sortedKeys(n.branches))))
		}
		return b.check(v)
	}
	if k := n.matching(n.oneOf, v); k != 1 {
		return fail("%s matches %d of oneOf, not one", show(v), k)
	}
	return nil
}

func (n *node) matching(of []*node, v any) int {
	k := 0
	for _, s := range of {
		if s.check(v) == nil {
			k++
		}
	}
	return k
}

func show(v any) string {
	s := fmt.Sprintf("%v", v)
	if str, ok := v.(string); ok {
		s = strconv.Quote(str)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
