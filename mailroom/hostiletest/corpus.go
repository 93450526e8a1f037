package hostiletest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Case is one hostile input and what must become of it.
type Case struct {
	// Name is the file name as dropped (it may hold control characters).
	Name string
	// File is the name in testdata/corpus when it differs from Name.
	File string
	// Make creates the input at path: a file, a FIFO or a symbolic link.
	// scratch is a folder outside the hot folder for link targets.
	Make func(path, scratch string) error
	// Want is "review" (it becomes a document for the desk) or a part of
	// the German reason it is quarantined with; "*" accepts either, as
	// long as it is accounted for.
	Want string
	// Refused: intake refuses it (no document is made); with a hot folder
	// it is moved to quarantine/ with the reason.
	Refused bool
	// Big: large or slow to make; not kept in testdata.
	Big bool
	// Special: not a regular file (FIFO, link); cannot be kept in testdata.
	Special bool
}

// Stored is the case's name in testdata/corpus.
func (c Case) Stored() string {
	if c.File != "" {
		return c.File
	}
	return c.Name
}

// MaxFileSize is the intake.max_file_size the cases assume (the sparse
// file is just over it).
const MaxFileSize = 256 << 20

// Cases returns the corpus.
func Cases() []Case {
	cs := append(pdfCases(), imageCases()...)
	return append(cs, otherCases()...)
}

func file(b func() []byte) func(path, _ string) error {
	return func(path, _ string) error { return os.WriteFile(path, b(), 0o644) }
}

func pdfCases() []Case {
	return []Case{
		{Name: "pdf-content-bomb.pdf", Want: "zu viel Seiteninhalt", Make: file(ContentBomb)},
		{Name: "pdf-form-bomb.pdf", Want: "zu viel Seiteninhalt", Make: file(FormBomb)},
		{Name: "pdf-image-bomb.pdf", Want: "Dekompressionsbombe", Make: file(ImageBomb)},
		{Name: "pdf-image-drawn-often.pdf", Want: "zu viele Bildpunkte", Make: file(ImageDrawnOften)},
		{Name: "pdf-huge-mediabox.pdf", Want: "Seite ist zu groß", Make: file(HugeMediaBox)},
		{Name: "pdf-large-page.pdf", Want: "review", Make: file(LargePage)},
		{Name: "pdf-fill-loop.pdf", Want: "Verarbeitung dauerte zu lange", Make: file(func() []byte { return FillLoop(true) })},
		{Name: "pdf-fill-loop-no-xref.pdf", Want: "Verarbeitung dauerte zu lange", Make: file(func() []byte { return FillLoop(false) })},
		{Name: "pdf-100000-pages-one-image.pdf", Want: "zu viele Seiten (100000", Big: true,
			Make: func(path, _ string) error { return SharedImagePages(100000).writeFile(path) }},
		{Name: "pdf-40-pages-one-image.pdf", Want: "review",
			Make: func(path, _ string) error { return SharedImagePages(40).writeFile(path) }},
	}
}

func imageCases() []Case {
	return []Case{
		{Name: "png-rgba-bomb.png", Want: "braucht dekodiert", Big: true,
			Make: file(func() []byte { return pngFile(12000, 12000, 8, 6, 12000*4) })},
		{Name: "png-dimension-bomb.png", Want: "Seite ist zu groß",
			Make: file(func() []byte { return pngFile(100000, 100000, 8, 0, 100000) })},
		{Name: "jpeg-dimension-bomb.jpg", Want: "Seite ist zu groß", Make: file(func() []byte { return jpegHeader(65000, 65000) })},
		{Name: "tiff-dimension-bomb.tif", Want: "Seite ist zu groß",
			Make: file(func() []byte { return tiffFile(tiffSpec{100000, 100000, 1, 1, 1, 0}, 1, []byte{0}) })},
		{Name: "tiff-5000-pages.tif", Want: "zu viele Seiten (mehr als", Big: true,
			Make: file(func() []byte { return tiffFile(tiffSpec{8, 8, 8, 1, 1, 1}, 5000, make([]byte, 64)) })},
		{Name: "tiff-deflate-16bit-rgb-bomb.tif", Want: "braucht dekodiert", Big: true, Make: file(TIFFDeflateBomb)},
	}
}

func otherCases() []Case {
	return []Case{
		{Name: "Rechnung\x1b[31m\n\u202efdp.pdf", File: "name-with-control-characters.pdf", Want: "review", Make: file(TextPage)},
		// An e-invoice unreadable after its root is taken in as an invalid
		// e-invoice (mailroom/einvoice): review, the reason in einvoice_error.
		{Name: "xml-deep-nesting.xml", Want: "review", Make: file(DeepXML)},
		{Name: "mail-folded-header.eml", Want: "*", Make: file(FoldedMail)},
		{Name: "sparse-over-max-file-size.pdf", Want: "Datei ist zu groß", Refused: true, Special: true,
			Make: func(path, _ string) error { return sparse(path, MaxFileSize+1<<20) }},
		{Name: "fifo.pdf", Want: "Keine gewöhnliche Datei", Refused: true, Special: true,
			Make: func(path, _ string) error { return mkfifo(path) }},
		{Name: "zero.pdf", Want: "Keine gewöhnliche Datei", Refused: true, Special: true,
			Make: func(path, _ string) error { return os.Symlink("/dev/zero", path) }},
		{Name: "secret-link.pdf", Want: "Keine gewöhnliche Datei", Refused: true, Special: true,
			Make: func(path, scratch string) error {
				secret := filepath.Join(scratch, "seal.key")
				if err := os.WriteFile(secret, []byte(Secret), 0o600); err != nil {
					return err
				}
				return os.Symlink(secret, path)
			}},
	}
}

// Secret is the content of the file the secret link points at: it must
// never turn up in the store.
const Secret = "SECRET-SEAL-KEY-MATERIAL"

func sparse(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	f.WriteString("%PDF-1.4\n")
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ContentBomb is one page whose content stream inflates to 160 MiB of
// harmless operators (330 KB in the file).
func ContentBomb() []byte {
	s := deflate(func(w io.Writer) { repeat(w, []byte("1 0 0 1 0 0 cm\n"), 160<<20) })
	return onePage(s, "/Filter /FlateDecode", "<< >>", a4).bytes()
}

// FormBomb is one page drawing a form 16 times that draws the next form
// 16 times, eight levels deep: 16^8 draws of a small content stream.
func FormBomb() []byte {
	d := &pdfDoc{}
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	d.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /F 5 0 R >> >> /Contents 4 0 R >>")
	draw16 := []byte(strings.Repeat("/F Do\n", 16))
	d.addStream("", draw16)
	for lvl := 0; lvl < 8; lvl++ {
		next := fmt.Sprintf("<< /XObject << /F %d 0 R >> >>", 6+lvl)
		d.addStream("/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources "+next, draw16)
	}
	d.addStream("/Type /XObject /Subtype /Form /BBox [0 0 10 10]", []byte(strings.Repeat("0 0 1 1 re f\n", 80)))
	return d.bytes()
}

// imageXObject is a gray 8-bit image of zeros (black), Flate-compressed.
func imageXObject(w, h int) (string, []byte) {
	data := deflate(func(zw io.Writer) { repeat(zw, make([]byte, w), int64(w)*int64(h)) })
	return fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", w, h), data
}

// ImageBomb is one page showing one 20000×20000 image (400 megapixels,
// 380 KB compressed).
func ImageBomb() []byte {
	dict, data := imageXObject(20000, 20000)
	d := onePage([]byte("q 595 0 0 842 0 0 cm /Im Do Q\n"), "", "<< /XObject << /Im 5 0 R >> >>", a4)
	d.addStream(dict, data)
	return d.bytes()
}

// ImageDrawnOften draws one 100-megapixel image twenty times.
func ImageDrawnOften() []byte {
	dict, data := imageXObject(10000, 10000)
	d := onePage([]byte(strings.Repeat("q 595 0 0 842 0 0 cm /Im Do Q\n", 20)), "", "<< /XObject << /Im 5 0 R >> >>", a4)
	d.addStream(dict, data)
	return d.bytes()
}

// HugeMediaBox is a page of 200 × 200 inches: over the pixel limit even at
// 72 dpi.
func HugeMediaBox() []byte {
	return onePage([]byte("0 0 10 10 re f\n"), "", "<< >>", "[0 0 14400 14400]").bytes()
}

// LargePage is an empty page of 47 × 47 inches: rendered at a lower
// resolution within the render budget, not refused.
func LargePage() []byte {
	return onePage([]byte("\n"), "", "<< >>", "[0 0 3400 3400]").bytes()
}

// FillLoop is one page that fills the whole page 60,000 times: small in the
// file and in content (1.4 MB), minutes for a renderer. Without xref the
// object reader cannot read it, so only the renderer's deadline holds.
func FillLoop(xref bool) []byte {
	s := deflate(func(w io.Writer) { repeat(w, []byte("0.5 g 0 0 595 842 re f\n"), 60000*23) })
	b := onePage(s, "/Filter /FlateDecode", "<< >>", a4).bytes()
	if !xref {
		i := strings.LastIndex(string(b), "xref\n")
		b = append(b[:i:i], "%%EOF\n"...)
	}
	return b
}

// SharedImagePages has n pages that all show the same white 1240×1754
// image (A4 at 150 dpi).
func SharedImagePages(n int) *pdfDoc {
	d := &pdfDoc{}
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("")
	data := deflate(func(zw io.Writer) {
		row := make([]byte, 1240)
		for i := range row {
			row[i] = 255
		}
		repeat(zw, row, 1240*1754)
	})
	img := d.addStream("/Type /XObject /Subtype /Image /Width 1240 /Height 1754 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", data)
	content := d.addStream("", []byte("q 595 0 0 842 0 0 cm /Im Do Q\n"))
	res := d.add(fmt.Sprintf("<< /XObject << /Im %d 0 R >> >>", img))
	var kids strings.Builder
	for i := 0; i < n; i++ {
		p := d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %d 0 R /Contents %d 0 R >>", res, content))
		fmt.Fprintf(&kids, "%d 0 R ", p)
	}
	d.set(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n))
	return d
}

// TextPage is an ordinary letter page with a line of text.
func TextPage() []byte { return LetterPage("Rechnung Nr. 2024-17") }

// LetterPage is an ordinary one-page letter with the given line (ASCII
// without parentheses), for the harmless files dropped beside the corpus.
func LetterPage(line string) []byte {
	content := "BT /F1 28 Tf 72 700 Td (" + line + ") Tj 0 -40 Td (Stadtverwaltung Musterstadt) Tj ET\n"
	d := onePage([]byte(content), "", "<< /Font << /F1 5 0 R >> >>", a4)
	d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	return d.bytes()
}

// TIFFDeflateBomb is a 10000×10000 16-bit RGB page of zeros, deflated
// (600 MB of samples, 580 KB in the file).
func TIFFDeflateBomb() []byte {
	strip := deflate(func(w io.Writer) { repeat(w, make([]byte, 60000), 600_000_000) })
	return tiffFile(tiffSpec{10000, 10000, 16, 3, 8, 2}, 1, strip)
}

// DeepXML is a UBL invoice whose body nests 100,000 elements.
func DeepXML() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">`)
	b.WriteString(strings.Repeat("<a>", 100000))
	b.WriteString(strings.Repeat("</a>", 100000))
	b.WriteString("</Invoice>\n")
	return []byte(b.String())
}

// FoldedMail is a mail whose subject is folded over 200,000 lines.
func FoldedMail() []byte {
	var b strings.Builder
	b.WriteString("From: absender@example.org\r\nTo: poststelle@example.org\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n")
	b.WriteString("Message-ID: <folded@example.org>\r\nSubject: Antrag")
	for i := 0; i < 200000; i++ {
		b.WriteString("\r\n x")
	}
	b.WriteString("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag.\r\n")
	return []byte(b.String())
}
