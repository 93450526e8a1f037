// Command codeshape checks the repository's layout rules and prints the
// figures behind them: no non-test function over 80 lines, no non-test file
// over 600 lines (test doubles in packages named *test may be longer), and
// the domain package mailroom importing nothing of the project but its own
// leaf helpers. `make test` runs it; it exits 1 on a violation.
//
//	go run ./cmd/internal/codeshape [DIR]
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Limits of the layout rules.
const (
	maxFuncLines = 80
	maxFileLines = 600
)

// domainMayImport are the project packages the domain package may import.
var domainMayImport = map[string]bool{"poststelle/mailroom/safefile": true}

// file is what codeshape learns from one Go source file.
type file struct {
	path    string
	lines   int
	funcs   []fn
	imports []string
	pkg     string // directory, slash-separated, relative to the root
}

type fn struct {
	name  string
	line  int
	lines int
}

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	files, err := scan(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "codeshape:", err)
		os.Exit(2)
	}
	if problems := report(os.Stdout, files); problems > 0 {
		fmt.Printf("codeshape: %d violation(s) of the layout rules (docs/ARCHITECTURE.md)\n", problems)
		os.Exit(1)
	}
}

// scan parses every non-test Go file below root (skipping hidden folders,
// testdata and vendor).
func scan(root string) ([]file, error) {
	var out []file
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parseFile(fset, root, p)
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

func parseFile(fset *token.FileSet, root, p string) (file, error) {
	af, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return file{}, err
	}
	full, err := parser.ParseFile(fset, p, nil, 0)
	if err != nil {
		return file{}, err
	}
	rel, _ := filepath.Rel(root, filepath.Dir(p))
	f := file{path: p, lines: fset.File(full.Pos()).LineCount(), pkg: filepath.ToSlash(rel)}
	for _, im := range af.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		f.imports = append(f.imports, path)
	}
	for _, d := range full.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			start, end := fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line
			f.funcs = append(f.funcs, fn{name: fd.Name.Name, line: start, lines: end - start + 1})
		}
	}
	return f, nil
}

// report prints the figures and every violation; it returns the number of
// violations.
func report(w io.Writer, files []file) int {
	var lens []int
	problems := 0
	longest := file{}
	for _, f := range files {
		if f.lines > longest.lines {
			longest = f
		}
		testDouble := strings.HasSuffix(filepath.Base(f.pkg), "test")
		if f.lines > maxFileLines && !testDouble {
			fmt.Fprintf(w, "  file over %d lines: %s (%d)\n", maxFileLines, f.path, f.lines)
			problems++
		}
		for _, x := range f.funcs {
			lens = append(lens, x.lines)
			if x.lines > maxFuncLines {
				fmt.Fprintf(w, "  function over %d lines: %s:%d %s (%d)\n", maxFuncLines, f.path, x.line, x.name, x.lines)
				problems++
			}
		}
		problems += domainImports(w, f)
	}
	sort.Ints(lens)
	median := 0
	if len(lens) > 0 {
		median = lens[len(lens)/2]
	}
	fmt.Fprintf(w, "codeshape: %d files, %d functions, median function %d lines, longest file %s (%d lines)\n",
		len(files), len(lens), median, longest.path, longest.lines)
	return problems
}

// domainImports reports project imports of the domain package other than its
// leaf helpers.
func domainImports(w io.Writer, f file) int {
	if f.pkg != "mailroom" {
		return 0
	}
	n := 0
	for _, im := range f.imports {
		if strings.HasPrefix(im, "poststelle/") && !domainMayImport[im] {
			fmt.Fprintf(w, "  the domain package imports an adapter: %s imports %s\n", f.path, im)
			n++
		}
	}
	return n
}
