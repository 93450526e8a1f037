package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

func needTool(t *testing.T, name string) {
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing (Debian package in .ci/packages.txt)", name)
		}
		t.Skipf("%s not installed", name)
	}
}

// qpdfPages returns the page count qpdf reads.
func qpdfPages(t *testing.T, path string) int {
	out, err := exec.Command("qpdf", "--show-npages", path).Output()
	if err != nil {
		t.Fatalf("qpdf --show-npages %s: %v", path, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The reader reads classic tables, xref streams with object streams and
// hybrid-free QDF files alike: the same pages as qpdf, and the scanned
// page's image with its parameters.
func TestReaderVariants(t *testing.T) {
	needTool(t, "qpdf")
	dir := t.TempDir()
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	for _, v := range []string{"--object-streams=generate", "--object-streams=disable", "--qdf", "--linearize"} {
		p := filepath.Join(dir, strings.Trim(v, "-=")+".pdf")
		if out, err := exec.Command("qpdf", "--empty", "--pages", src, "1-3", "--", v, p).CombinedOutput(); err != nil {
			t.Fatalf("qpdf %s: %v %s", v, err, out)
		}
		r, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		pages, err := r.Pages()
		if err != nil || len(pages) != qpdfPages(t, p) {
			t.Fatalf("%s: %d pages (%v), qpdf reads %d", v, len(pages), err, qpdfPages(t, p))
		}
		if streams := v == "--object-streams=generate"; streams != r.XrefStream() {
			t.Errorf("%s: xref stream %v", v, r.XrefStream())
		}
		img, err := r.PageImage(pages[1], func(w, h int64) error { return nil })
		if err != nil || img.Filter != "DCTDecode" || img.DPI != 300 || img.Width != 2480 || img.Components != 1 || len(img.Data) == 0 {
			t.Errorf("%s: page 2 image %v: %s %.0f dpi %dx%d, %d components", v, err, img.Filter, img.DPI, img.Width, img.Height, img.Components)
		}
		r.Close()
	}
}

// Every page of the corpus PDFs is found, as qpdf counts them; images
// over the size check are refused with its error.
func TestReaderCorpusPages(t *testing.T) {
	needTool(t, "qpdf")
	files, _ := filepath.Glob(filepath.Join(testcorpus.Dir(t), "ocrmypdf", "*.pdf"))
	files = append(files, testcorpus.Path(t, "einvoice", "zugferd", "EN16931_Einfach.pdf"))
	read := 0
	for _, f := range files {
		if filepath.Base(f) == "invalid.pdf" {
			continue
		}
		r, err := Open(f)
		if err != nil {
			t.Logf("%s: %v", filepath.Base(f), err)
			continue
		}
		pages, err := r.Pages()
		if err != nil || len(pages) != qpdfPages(t, f) {
			t.Errorf("%s: %d pages (%v), qpdf reads %d", filepath.Base(f), len(pages), err, qpdfPages(t, f))
		}
		r.Close()
		read++
	}
	if read < 5 {
		t.Fatalf("only %d corpus PDFs readable", read)
	}
	r, err := Open(testcorpus.Path(t, "ocrmypdf", "ccitt.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages, _ := r.Pages()
	tooBig := errors.New("too big")
	if _, err := r.PageImage(pages[0], func(w, h int64) error { return tooBig }); err != tooBig {
		t.Fatalf("size check not applied: %v", err)
	}
}

// A damaged or looping structure is an error, never a hang or a guess.
func TestReaderRefusesLoops(t *testing.T) {
	loopPrev := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	off := len(loopPrev)
	loopPrev += fmt.Sprintf("xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", off, off)
	if _, err := NewReader(strings.NewReader(loopPrev), int64(len(loopPrev))); !errors.Is(err, ErrUnsupported) {
		t.Errorf("/Prev pointing at itself: %v", err)
	}
	// A page tree whose kid is its own parent.
	selfKid := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n"
	x := len(selfKid)
	o2 := strings.Index(selfKid, "2 0 obj")
	selfKid += fmt.Sprintf("xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", 9, o2, x)
	r, err := NewReader(strings.NewReader(selfKid), int64(len(selfKid)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Pages(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("page tree loop: %v", err)
	}
	// References that only point at each other.
	r.xref[5] = xrefEntry{typ: 1, offset: 9}
	r.cache[6] = Ref{6, 0}
	if _, err := r.Resolve(Ref{6, 0}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("reference chain: %v", err)
	}
	// An object in an object stream that is itself in an object stream,
	// and an object stream whose /Length lies inside itself: errors, not
	// endless recursion.
	r.xref[7] = xrefEntry{typ: 2, offset: 7}
	if _, err := r.Object(7); !errors.Is(err, ErrUnsupported) {
		t.Errorf("object stream inside itself: %v", err)
	}
	stm := "%PDF-1.5\n3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 4 0 R >>\nstream\n4 0 9\nendstream\nendobj\n"
	r2 := &Reader{f: strings.NewReader(stm), size: int64(len(stm)), cache: map[int]any{},
		xref: map[int]xrefEntry{3: {typ: 1, offset: 9}, 4: {typ: 2, offset: 3}}}
	if _, err := r2.Object(4); !errors.Is(err, ErrUnsupported) {
		t.Errorf("object stream whose length is inside it: %v", err)
	}
	enc := strings.Replace(selfKid, "/Root 1 0 R", "/Root 1 0 R /Encrypt 9 0 R", 1)
	if _, err := NewReader(strings.NewReader(enc), int64(len(enc))); !errors.Is(err, ErrUnsupported) {
		t.Errorf("encrypted file read: %v", err)
	}
}

// An incremental update keeps the original bytes, adds a section of the
// original's kind and is read back, by this reader and by qpdf.
func TestUpdate(t *testing.T) {
	needTool(t, "qpdf")
	for _, name := range []string{"linn.pdf", "skew.pdf"} { // xref table, xref stream
		orig, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", name))
		if err != nil {
			t.Fatal(err)
		}
		u, err := NewUpdate(orig)
		if err != nil {
			t.Fatal(err)
		}
		root, rootRef, err := u.Reader().Catalog()
		if err != nil {
			t.Fatal(err)
		}
		sig, field := u.Alloc(), u.Alloc()
		u.Put(sig, []byte("<< /Type /Sig /ByteRange [0 10 20 30] /Contents <3003020100> >>"))
		u.Put(field, []byte(fmt.Sprintf("<< /FT /Sig /T (S) /V %d 0 R >>", sig)))
		var cat bytes.Buffer
		root["AcroForm"] = Dict{"Fields": Array{Ref{field, 0}}}
		if err := Write(&cat, root); err != nil {
			t.Fatal(err)
		}
		u.Put(rootRef.Num, cat.Bytes())
		out, err := u.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, orig) {
			t.Fatalf("%s: original bytes changed", name)
		}
		r, err := NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := NewReader(bytes.NewReader(orig), int64(len(orig)))
		if r.XrefStream() != want.XrefStream() || r.StartXref() <= want.StartXref() {
			t.Errorf("%s: section kind %v (original %v)", name, r.XrefStream(), want.XrefStream())
		}
		sigs, err := r.Signatures()
		if err != nil || len(sigs) != 1 || sigs[0].ByteRange != [4]int64{0, 10, 20, 30} || !bytes.Equal(sigs[0].Contents, []byte{0x30, 3, 2, 1, 0}) {
			t.Fatalf("%s: signatures %+v %v", name, sigs, err)
		}
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, out, 0o600)
		if q, err := exec.Command("qpdf", "--check", p).CombinedOutput(); err != nil {
			t.Fatalf("%s: qpdf --check: %v\n%s", name, err, q)
		}
	}
}

func TestNameTree(t *testing.T) {
	doc := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>\nendobj\n" +
		"2 0 obj\n<< /Kids [3 0 R << /Names [(b) 9 0 R] >>] >>\nendobj\n" +
		"3 0 obj\n<< /Names [(a) (x) (c) [1 2]] >>\nendobj\n"
	x := len(doc)
	o2, o3 := strings.Index(doc, "2 0 obj"), strings.Index(doc, "3 0 obj")
	doc += fmt.Sprintf("xref\n0 4\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", 9, o2, o3, x)
	r, err := NewReader(strings.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	root, _, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := r.NameTree(root["Names"].(Dict)["EmbeddedFiles"])
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) != 3 || tree["a"] != String("x") || tree["b"] != (Ref{9, 0}) {
		t.Fatalf("leaves %#v", tree)
	}
}

// FuzzReader feeds arbitrary bytes through everything the passthrough and
// the evidence checks read: no panic, no unbounded work.
func FuzzReader(f *testing.F) {
	for _, rel := range [][]string{{"ocrmypdf", "linn.pdf"}, {"ocrmypdf", "skew.pdf"}} {
		if b, err := os.ReadFile(testcorpus.Path(f, rel...)); err == nil && len(b) < 200_000 {
			f.Add(b)
		}
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		r.Signatures()
		if root, _, err := r.Catalog(); err == nil {
			r.NameTree(root["Names"])
		}
		pages, err := r.Pages()
		if err != nil {
			return
		}
		for i, p := range pages {
			if i > 8 {
				break
			}
			r.PageImage(p, func(w, h int64) error {
				if w*h > 1<<24 {
					return errors.New("too large")
				}
				return nil
			})
		}
	})
}
