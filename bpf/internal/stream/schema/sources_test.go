package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The sources that write events. Every event the tests make is checked as
// it is written (RunChecked); this reads the code, so that an event no test
// makes (a rare kind, an optional field) is held to the schema too.
var eventSources = []string{"../../probe", "../../trace", ".."}

// emitters are the functions whose string arguments are event kinds.
var emitters = map[string]bool{"ev": true, "event": true, "send": true, "emit": true, "Emit": true, "out": true}

// use is a kind or a field the code writes, and where.
type use struct {
	kind, field string // field "": the kind alone; kind "": a field of an event whose kind is not in sight
	at          string
}

// uses reads the kinds and fields the non-test Go files in dirs write: the
// kinds given to emitters or compared with an event's kind, and the fields
// made with F (of the emitter call's kind when they are inside one).
func uses(t *testing.T, dirs []string) []use {
	t.Helper()
	var out []use
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				out = append(out, usesIn(fset, n)...)
				return true
			})
		}
	}
	return out
}

func usesIn(fset *token.FileSet, n ast.Node) []use {
	var out []use
	switch x := n.(type) {
	case *ast.CallExpr:
		if emitters[name(x.Fun)] {
			for _, kind := range literals(x.Args) {
				out = append(out, use{kind: kind, at: fset.Position(x.Pos()).String()})
				for _, field := range fieldsIn(x) {
					out = append(out, use{kind: kind, field: field, at: fset.Position(x.Pos()).String()})
				}
			}
		} else if field, ok := fieldOf(x); ok {
			out = append(out, use{field: field, at: fset.Position(x.Pos()).String()})
		}
	case *ast.BinaryExpr:
		if strings.EqualFold(name(x.X), "kind") {
			for _, kind := range literals([]ast.Expr{x.Y}) {
				out = append(out, use{kind: kind, at: fset.Position(x.Pos()).String()})
			}
		}
	case *ast.SwitchStmt:
		if x.Tag != nil && strings.EqualFold(name(x.Tag), "kind") {
			for _, c := range x.Body.List {
				for _, kind := range literals(c.(*ast.CaseClause).List) {
					out = append(out, use{kind: kind, at: fset.Position(c.Pos()).String()})
				}
			}
		}
	}
	return out
}

// name is the name of an identifier or the last of a selector.
func name(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

func literals(args []ast.Expr) []string {
	var out []string
	for _, a := range args {
		if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			out = append(out, s)
		}
	}
	return out
}

// fieldOf reads F("name", ...), or stream.F.
func fieldOf(c *ast.CallExpr) (string, bool) {
	if name(c.Fun) != "F" || len(c.Args) != 2 {
		return "", false
	}
	names := literals(c.Args[:1])
	if len(names) != 1 {
		return "", false
	}
	return names[0], true
}

func fieldsIn(call *ast.CallExpr) []string {
	var out []string
	for _, a := range call.Args {
		ast.Inspect(a, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if field, ok := fieldOf(c); ok {
					out = append(out, field)
				}
			}
			return true
		})
	}
	return out
}

func TestTheCodeWritesOnlyTheSchemasKindsAndFields(t *testing.T) {
	all := map[string]bool{}
	for _, kind := range Events.Kinds() {
		for _, f := range Events.Fields(kind) {
			all[f] = true
		}
	}
	found := map[string]int{}
	for _, u := range uses(t, eventSources) {
		switch {
		case u.kind != "" && Events.Fields(u.kind) == nil:
			t.Errorf("%s: kind %q is not in the schema", u.at, u.kind)
		case u.kind != "" && u.field != "" && !slices.Contains(Events.Fields(u.kind), u.field):
			t.Errorf("%s: %s has no field %q in the schema", u.at, u.kind, u.field)
		case u.kind == "" && !all[u.field]:
			t.Errorf("%s: no kind has a field %q in the schema", u.at, u.field)
		}
		found[u.kind+"/"+u.field]++
	}
	// The reading itself works: it finds what the code is known to write.
	for _, want := range []string{"run.start/", "run.end/lost", "g.runnable/", "g.runnable/reason", "/by", "runq/", "line/goid", "output/"} {
		if found[want] == 0 {
			t.Errorf("no use of %s found in the code: the reading is broken", want)
		}
	}
}
