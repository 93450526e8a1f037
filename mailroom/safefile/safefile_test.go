package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	if err := Write(p, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "two" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("got %q mode %v", b, fi.Mode().Perm())
	}
	assertOnly(t, dir, "a.json")
}

func TestFailedFillKeepsOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	if err := Write(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := WriteFrom(p, 0o640, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "old" {
		t.Fatalf("old file changed: %q", b)
	}
	assertOnly(t, dir, "a.json")
}

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "tmp"), "in-*")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("content")
	dst := filepath.Join(dir, "tmp", "final")
	if err := f.Commit(dst, 0o440); err != nil {
		t.Fatal(err)
	}
	f.Abort() // no-op after commit
	if b, _ := os.ReadFile(dst); string(b) != "content" {
		t.Fatalf("got %q", b)
	}
	if err := f.Commit(dst, 0o440); err == nil {
		t.Fatal("second commit accepted")
	}
	g, err := Create(filepath.Join(dir, "tmp"), "in-*")
	if err != nil {
		t.Fatal(err)
	}
	g.Abort()
	assertOnly(t, filepath.Join(dir, "tmp"), "final")
}

func TestCommitIntoMissingDirFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(filepath.Join(dir, "no", "such", "x"), 0o640); err == nil {
		t.Fatal("commit into a missing directory succeeded")
	}
	assertOnly(t, dir)
}

func TestCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("data"), 0o600)
	dst := filepath.Join(dir, "dst")
	if err := Copy(src, dst, 0o640); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "data" {
		t.Fatalf("got %q", b)
	}
	if err := Copy(filepath.Join(dir, "missing"), dst, 0o640); err == nil {
		t.Fatal("copy of a missing file succeeded")
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(names) {
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		t.Fatalf("directory holds %v, want %v", got, names)
	}
	for i, e := range ents {
		if e.Name() != names[i] {
			t.Fatalf("directory holds %s, want %s", e.Name(), names[i])
		}
	}
}
