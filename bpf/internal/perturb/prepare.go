package perturb

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// source is one file of the program, parsed.
type source struct {
	name  string // as the learner named it, relative to the package directory
	path  string
	text  []byte
	fset  *token.FileSet
	file  *ast.File
	lines []string
}

// Prepare inserts each perturbation's call in the sources in dir (in place)
// and adds the helper to each directory it was inserted in. A line that
// starts no statement inside a function body is refused with a BadInput
// that says what the line is and which lines would do.
func Prepare(dir string, ats []At) error {
	byFile := map[string][]At{}
	var names []string
	for _, a := range ats {
		name := filepath.ToSlash(filepath.Clean(a.File))
		if filepath.IsAbs(a.File) || strings.HasPrefix(name, "../") {
			return bad("%s: name a file of the program, relative to it (e.g. main.go)", a.File)
		}
		if byFile[name] == nil {
			names = append(names, name)
		}
		byFile[name] = append(byFile[name], a)
	}
	sort.Strings(names)
	helpers := map[string]string{} // directory: package
	for _, name := range names {
		src, err := load(dir, name)
		if err != nil {
			return err
		}
		offsets := make([]int, 0, len(byFile[name]))
		calls := map[int]string{}
		for _, a := range byFile[name] {
			off, err := src.statementAt(a.Line)
			if err != nil {
				return err
			}
			if _, seen := calls[off]; !seen {
				offsets = append(offsets, off)
			}
			calls[off] += a.call()
		}
		sort.Ints(offsets)
		var out bytes.Buffer
		at := 0
		for _, off := range offsets {
			out.Write(src.text[at:off])
			out.WriteString(calls[off])
			at = off
		}
		out.Write(src.text[at:])
		if err := os.WriteFile(src.path, out.Bytes(), 0o644); err != nil {
			return err
		}
		d := filepath.Dir(src.path)
		if pkg, ok := helpers[d]; ok && pkg != src.file.Name.Name {
			return bad("%s is in package %s, another file of its directory in package %s", name, src.file.Name.Name, pkg)
		}
		helpers[d] = src.file.Name.Name
	}
	for d, pkg := range helpers {
		if err := os.WriteFile(filepath.Join(d, HelperFile), []byte(helperSource(pkg)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func load(dir, name string) (*source, error) {
	path := filepath.Join(dir, filepath.FromSlash(name))
	text, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, bad("%s: the program has no such file%s", name, goFiles(dir))
		}
		return nil, err
	}
	if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
		return nil, bad("%s: perturb a line of a .go file of the program (not a test)", name)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, text, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		// The build would fail on it too; its message names the line.
		return nil, bad("%v", err)
	}
	return &source{name: name, path: path, text: text, fset: fset, file: f, lines: strings.Split(string(text), "\n")}, nil
}

// goFiles lists the Go files in dir, for a message: " (it has main.go, util.go)".
func goFiles(dir string) string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasPrefix(e.Name(), "0") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (it has " + strings.Join(names, ", ") + ")"
}

func (s *source) line(p token.Pos) int { return s.fset.Position(p).Line }

// statements calls visit with every statement of every function body's
// statement lists (blocks, case and select clauses), outer before inner.
func (s *source) statements(visit func(ast.Stmt)) {
	list := func(stmts []ast.Stmt) {
		for _, st := range stmts {
			if e, ok := st.(*ast.EmptyStmt); ok && e.Implicit {
				continue
			}
			visit(st)
		}
	}
	ast.Inspect(s.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			list(n.List)
		case *ast.CaseClause:
			list(n.Body)
		case *ast.CommClause:
			list(n.Body)
		}
		return true
	})
}

// statementAt is the offset of the first statement starting on line (the
// outermost, when several do), or why there is none.
func (s *source) statementAt(line int) (int, error) {
	best := -1
	s.statements(func(st ast.Stmt) {
		if s.line(st.Pos()) == line {
			if off := s.fset.Position(st.Pos()).Offset; best < 0 || off < best {
				best = off
			}
		}
	})
	if best >= 0 {
		return best, nil
	}
	return 0, s.refusal(line)
}

// refusal says what the line is instead, and which lines would do.
func (s *source) refusal(line int) error {
	last := len(s.lines)
	if last > 0 && s.lines[last-1] == "" {
		last--
	}
	where := fmt.Sprintf("%s:%d: cannot perturb line %d:", s.name, line, line)
	if line > last {
		return bad("%s %s has %d lines; %s", where, s.name, last, s.advice(last))
	}
	text := strings.TrimSpace(s.lines[line-1])
	var what string
	switch {
	case text == "":
		what = "it is empty"
	case s.inComment(line, s.lines[line-1]):
		what = "it is a comment"
	case s.inImports(line):
		what = "it is in the imports"
	default:
		if start := s.enclosingStatement(line); start > 0 {
			what = fmt.Sprintf("it is inside the statement that starts at line %d (perturb line %d)", start, start)
		} else if s.inFunction(line) {
			what = fmt.Sprintf("it (%s) starts no statement", clip(text))
		} else {
			what = fmt.Sprintf("it (%s) is outside any function body", clip(text))
		}
	}
	return bad("%s %s; a perturbation goes at the start of a statement inside a function body: %s", where, what, s.advice(line))
}

// advice names the statement lines nearest to line.
func (s *source) advice(line int) string {
	starts := map[int]bool{}
	s.statements(func(st ast.Stmt) { starts[s.line(st.Pos())] = true })
	if len(starts) == 0 {
		return "this file has no function body with a statement to perturb"
	}
	lines := make([]int, 0, len(starts))
	for l := range starts {
		lines = append(lines, l)
	}
	sort.Slice(lines, func(i, j int) bool {
		di, dj := abs(lines[i]-line), abs(lines[j]-line)
		return di < dj || di == dj && lines[i] < lines[j]
	})
	if len(lines) > 3 {
		lines = lines[:3]
	}
	sort.Ints(lines)
	shown := make([]string, len(lines))
	for i, l := range lines {
		shown[i] = fmt.Sprintf("%d (%s)", l, clip(strings.TrimSpace(s.lines[l-1])))
	}
	return "choose a line where one starts, e.g. " + strings.Join(shown, ", ")
}

func (s *source) inComment(line int, text string) bool {
	col := len(text) - len(strings.TrimLeft(text, " \t")) + 1
	for _, g := range s.file.Comments {
		for _, c := range g.List {
			from, to := s.fset.Position(c.Pos()), s.fset.Position(c.End())
			after := from.Line < line || from.Line == line && from.Column <= col
			before := to.Line > line || to.Line == line && to.Column > col
			if after && before {
				return true
			}
		}
	}
	return false
}

func (s *source) inImports(line int) bool {
	for _, d := range s.file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && s.line(g.Pos()) <= line && line <= s.line(g.End()) {
			return true
		}
	}
	return false
}

// enclosingStatement is the line of the innermost listed statement
// spanning line, or 0; and 0 too when the line is one of that statement's
// own braces, else or case lines, which no statement starts.
func (s *source) enclosingStatement(line int) int {
	var inner ast.Stmt
	size := -1
	s.statements(func(st ast.Stmt) {
		from, to := s.line(st.Pos()), s.line(st.End())
		if from < line && line <= to && (size < 0 || to-from <= size) {
			inner, size = st, to-from
		}
	})
	if inner == nil {
		return 0
	}
	braces := false
	ast.Inspect(inner, func(n ast.Node) bool {
		if b, ok := n.(*ast.BlockStmt); ok && s.line(b.Lbrace) < line && line <= s.line(b.Rbrace) {
			braces = true
		}
		return !braces
	})
	if braces {
		return 0
	}
	return s.line(inner.Pos())
}

func (s *source) inFunction(line int) bool {
	inside := false
	ast.Inspect(s.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			if s.line(n.Pos()) <= line && line <= s.line(n.End()) {
				inside = true
			}
		}
		return !inside
	})
	return inside
}

func clip(text string) string {
	if len(text) > 40 {
		text = text[:37] + "..."
	}
	return "`" + text + "`"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
