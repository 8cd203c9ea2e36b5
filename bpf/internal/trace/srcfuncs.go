package trace

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// sourceFuncs names the function declared around a line of the program's
// source, read once per file: the memory profiler names a frame by the
// function its code was compiled into, which for a function inlined into
// its caller is the caller, though the line is the inlined function's.
type sourceFuncs struct {
	files map[string][]declRange
}

type declRange struct {
	from, to int
	name     string
}

func newSourceFuncs() *sourceFuncs { return &sourceFuncs{files: map[string][]declRange{}} }

// at is the function declared around file:line ("" when the file cannot be read).
func (s *sourceFuncs) at(file string, line int64) string {
	decls, ok := s.files[file]
	if !ok {
		decls = readDecls(file)
		s.files[file] = decls
	}
	for _, d := range decls {
		if int64(d.from) <= line && line <= int64(d.to) {
			return d.name
		}
	}
	return ""
}

func readDecls(file string) []declRange {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []declRange
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		name := fn.Name.Name
		if fn.Recv != nil && len(fn.Recv.List) == 1 {
			name = receiverName(fn.Recv.List[0].Type) + "." + name
		}
		out = append(out, declRange{from: fset.Position(fn.Pos()).Line, to: fset.Position(fn.End()).Line,
			name: f.Name.Name + "." + name})
	}
	return out
}

// receiverName is a method's receiver as the runtime names it: T or (*T), without type parameters.
func receiverName(t ast.Expr) string {
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	id, ok := t.(*ast.Ident)
	if !ok {
		return "?"
	}
	if star {
		return "(*" + id.Name + ")"
	}
	return id.Name
}
