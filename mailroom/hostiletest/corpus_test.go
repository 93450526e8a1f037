package hostiletest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus and the fuzz seed corpora from the generators")

// fuzzSeeds names the corpus files that seed each fuzz target (package
// folder, target).
var fuzzSeeds = []struct {
	dir, target string
	files       []string
}{
	{"../pdf", "FuzzReader", []string{"pdf-form-bomb.pdf", "pdf-huge-mediabox.pdf", "pdf-large-page.pdf", "pdf-fill-loop.pdf", "name-with-control-characters.pdf"}},
	{"../../scan/pages", "FuzzTIFFFrames", []string{"tiff-dimension-bomb.tif"}},
	{"../../scan/pages", "FuzzOpenImage", []string{"tiff-dimension-bomb.tif", "png-dimension-bomb.png", "jpeg-dimension-bomb.jpg"}},
}

// TestCorpusFiles: testdata/corpus holds exactly what the generators make
// for the small regular-file cases, and each fuzz target's seed corpus in
// testdata/fuzz holds the files listed above (go test -update rewrites
// both after a change to a generator).
func TestCorpusFiles(t *testing.T) {
	dir := filepath.Join("testdata", "corpus")
	scratch := t.TempDir()
	made := map[string][]byte{}
	for _, c := range Cases() {
		if c.Big || c.Special {
			continue
		}
		p := filepath.Join(scratch, "x")
		if err := c.Make(p, scratch); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		made[c.Stored()] = b
		check(t, filepath.Join(dir, c.Stored()), b)
	}
	for _, s := range fuzzSeeds {
		for _, f := range s.files {
			b, ok := made[f]
			if !ok {
				t.Fatalf("fuzz seed %s is not a small corpus file", f)
			}
			check(t, filepath.Join(s.dir, "testdata", "fuzz", s.target, "hostile-"+f), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)))
		}
	}
	// Hot-folder names: every case's name as dropped.
	for _, c := range Cases() {
		check(t, filepath.Join("../../scan/hotfolder/testdata/fuzz/FuzzSafeName", "hostile-"+c.Stored()),
			[]byte(fmt.Sprintf("go test fuzz v1\nstring(%q)\n", c.Name)))
	}
}

func check(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s differs from its generator (go test ./mailroom/hostiletest -update): %v", path, err)
	}
}
