package funclen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxBodyLines is the most lines a function's body may span between its
// braces (issue 16).
const maxBodyLines = 80

// longFunc is a function whose body spans more than maxBodyLines lines.
type longFunc struct {
	key   string // path (from the module's root):function
	line  int    // where it starts
	lines int
}

// funcName is how a declared function is named: Type.Method for a method.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if idx, ok := t.(*ast.IndexExpr); ok { // a generic type's method
		t = idx.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

// longFuncs parses the file at path (named rel in what it finds) and
// lists its functions, and function literals, over maxBodyLines.
func longFuncs(fset *token.FileSet, path, rel string) ([]longFunc, error) {
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []longFunc
	span := func(b *ast.BlockStmt) (int, int) {
		from, to := fset.Position(b.Lbrace).Line, fset.Position(b.Rbrace).Line
		return from, to - from - 1
	}
	for _, decl := range f.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok || d.Body == nil {
			continue
		}
		name := funcName(d)
		if line, n := span(d.Body); n > maxBodyLines {
			out = append(out, longFunc{fmt.Sprintf("%s:%s", rel, name), line, n})
		}
		ast.Inspect(d.Body, func(node ast.Node) bool {
			if lit, ok := node.(*ast.FuncLit); ok {
				if line, n := span(lit.Body); n > maxBodyLines {
					out = append(out, longFunc{fmt.Sprintf("%s:%s.func@%d", rel, name, line), line, n})
				}
			}
			return true
		})
	}
	return out, nil
}

// TestNoFunctionOver80Lines parses every Go file of the module that is not
// a test (testdata and built binaries aside) and fails on each function, or
// function literal, whose body spans more than maxBodyLines lines, naming
// it as file:function:lines.
func TestNoFunctionOver80Lines(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []longFunc
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || d.Name() == "bin" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files++
		long, err := longFuncs(fset, path, filepath.ToSlash(rel))
		found = append(found, long...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d Go files under %s: not the bpf module?", files, root)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].key < found[j].key })
	for _, f := range found {
		t.Errorf("%s:%d: its body is %d lines, over %d (starts at line %d)", f.key, f.lines, f.lines, maxBodyLines, f.line)
	}
}

// The check itself: a long function, method and literal are found and
// named, a short one is not.
func TestLongFunctionsAreFound(t *testing.T) {
	body := func(n int) string { return strings.Repeat("\t_ = 0\n", n) }
	src := "package p\n\nfunc short() {\n" + body(maxBodyLines) + "}\n\n" +
		"type T struct{}\n\nfunc (t *T) long() {\n" + body(maxBodyLines+1) + "}\n\n" +
		"func outer() {\n\tf := func() {\n" + body(maxBodyLines+1) + "\t}\n\tf()\n}\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "p.go")
	if err := writeFile(path, src); err != nil {
		t.Fatal(err)
	}
	long, err := longFuncs(token.NewFileSet(), path, "p.go")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range long {
		got = append(got, fmt.Sprintf("%s:%d", f.key, f.lines))
	}
	litLine := strings.Count(src[:strings.Index(src, "\tf := func")], "\n") + 1
	want := []string{"p.go:T.long:81", "p.go:outer:84", fmt.Sprintf("p.go:outer.func@%d:81", litLine)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("found %v, want %v", got, want)
	}
}

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}
