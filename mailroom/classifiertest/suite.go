package classifiertest

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// Case is a document the classifier knows.
type Case struct {
	Name      string
	Path      string // the input; the suite copies it to a read-only "original"
	MediaType string // "" = sniffed from content and name
	Filename  string // "" = base name of Path
	Metadata  map[string]string
	// WantMeta must be in the classification's metadata; an empty value
	// means any non-empty value.
	WantMeta      map[string]string
	WantFlags     []string
	WantKeep      bool
	WantRendition bool
}

// Run runs the suite: the corpus's ordinary documents (a scanned PDF, a
// JPEG, a TIFF) must give a zero Classification, and each known case its
// expectations.
func Run(t *testing.T, c mailroom.Classifier, known []Case) {
	for _, rel := range [][]string{{"ocrmypdf", "linn.pdf"}, {"naps2", "notblank.jpg"}, {"tesseract", "phototest.tif"}} {
		p := testcorpus.Path(t, rel...)
		t.Run("Unknown/"+filepath.Base(p), func(t *testing.T) { testUnknown(t, c, p) })
	}
	for _, k := range known {
		t.Run("Known/"+k.Name, func(t *testing.T) { testKnown(t, c, k) })
	}
}

// input copies path to a read-only original in a temp dir and prepares the
// classifier's input with an empty document folder.
func input(t *testing.T, path, mediaType, filename string, meta map[string]string) (mailroom.ClassifyInput, [32]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "original")
	if err := os.WriteFile(orig, data, 0o440); err != nil {
		t.Fatal(err)
	}
	if filename == "" {
		filename = filepath.Base(path)
	}
	if mediaType == "" {
		head := data
		if len(head) > 4096 {
			head = head[:4096]
		}
		mediaType = mailroom.SniffMediaType(head, filename)
	}
	if meta == nil {
		meta = map[string]string{}
	}
	return mailroom.ClassifyInput{DocumentID: "doc-1", Original: orig, MediaType: mediaType, Filename: filename,
		Pages: []int{1}, Metadata: meta, OutDir: filepath.Join(dir, "out", "doc-1")}, sha256.Sum256(data)
}

func testUnknown(t *testing.T, c mailroom.Classifier, path string) {
	in, _ := input(t, path, "", "", nil)
	cl, err := c.Classify(context.Background(), in)
	if err != nil {
		t.Fatalf("an ordinary document is an error: %v", err)
	}
	if len(cl.Metadata) != 0 || len(cl.Flags) != 0 || cl.KeepOriginal || cl.Rendition != "" {
		t.Fatalf("an ordinary document was classified: %+v", cl)
	}
}

func testKnown(t *testing.T, c mailroom.Classifier, k Case) {
	in, sum := input(t, k.Path, k.MediaType, k.Filename, k.Metadata)
	first, err := c.Classify(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, k, in, first)
	// Called again after a crash: the same result, the rendition rewritten
	// in place, nothing left over.
	second, err := c.Classify(context.Background(), in)
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if !reflect.DeepEqual(comparable(first), comparable(second)) {
		t.Fatalf("second call differs:\nfirst  %+v\nsecond %+v", first, second)
	}
	if got := hashFile(t, in.Original); got != sum {
		t.Fatal("the classifier changed the original")
	}
	noTemporaryFiles(t, in.OutDir)
}

func check(t *testing.T, k Case, in mailroom.ClassifyInput, cl mailroom.Classification) {
	t.Helper()
	for key, want := range k.WantMeta {
		got, ok := cl.Metadata[key]
		if !ok || got == "" || (want != "" && got != want) {
			t.Errorf("metadata %s = %q, want %q", key, got, want)
		}
	}
	for _, f := range k.WantFlags {
		if !contains(cl.Flags, f) {
			t.Errorf("flags %v lack %q", cl.Flags, f)
		}
	}
	if cl.KeepOriginal != k.WantKeep {
		t.Errorf("KeepOriginal = %v, want %v", cl.KeepOriginal, k.WantKeep)
	}
	if (cl.Rendition != "") != k.WantRendition {
		t.Fatalf("rendition %q, want one: %v", cl.Rendition, k.WantRendition)
	}
	if cl.Rendition == "" {
		return
	}
	if filepath.Dir(cl.Rendition) != in.OutDir {
		t.Fatalf("rendition %s is not in the document folder %s", cl.Rendition, in.OutDir)
	}
	b, err := os.ReadFile(cl.Rendition)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("rendition is not a PDF (%v)", err)
	}
}

// comparable drops what may legitimately differ between two calls (the
// time of a check).
func comparable(c mailroom.Classification) mailroom.Classification {
	m := map[string]string{}
	for k, v := range c.Metadata {
		if !strings.HasSuffix(k, "_checked_at") {
			m[k] = v
		}
	}
	c.Metadata = m
	return c
}

func noTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("temporary file %s left in the document folder", e.Name())
		}
	}
}

func hashFile(t *testing.T, p string) [32]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
