package rendition

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"

	"poststelle/mailroom/safefile"
)

// FontPath is the Unicode TrueType font used for renditions. Packagers
// depend on fonts-dejavu-core, which installs it here.
var FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// MaxBodyRunes bounds the body text put into a rendition; longer text is cut
// with a note (the original keeps everything).
const MaxBodyRunes = 200000

// Field is one labelled line at the top of a rendition ("Von", "An" …).
type Field struct {
	Label string
	Value string
}

// Doc is the content of a rendition.
type Doc struct {
	Title   string
	Fields  []Field
	Body    string
	Footer  string // e.g. "Lesefassung – das Original ist die XML-Datei"
	Created time.Time
}

var (
	fontOnce  sync.Once
	fontBytes []byte
)

func font() []byte {
	fontOnce.Do(func() {
		if b, err := os.ReadFile(FontPath); err == nil {
			fontBytes = b
		}
	})
	return fontBytes
}

// FontAvailable reports whether the Unicode font could be read (doctor check).
func FontAvailable() bool { return font() != nil }

// Render returns the PDF bytes of d.
func Render(d Doc) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	if !d.Created.IsZero() {
		p.SetCreationDate(d.Created)
		p.SetModificationDate(d.Created)
	}
	p.SetTitle(d.Title, true)
	p.SetCreator("Poststelle", true)
	tr := func(s string) string { return s }
	family := "DejaVu"
	if fb := font(); fb != nil {
		p.AddUTF8FontFromBytes(family, "", fb)
	} else {
		family = "Helvetica"
		cp := p.UnicodeTranslatorFromDescriptor("")
		tr = func(s string) string { return cp(s) }
	}
	p.AddPage()
	p.SetFont(family, "", 14)
	p.MultiCell(0, 7, tr(clean(d.Title)), "", "L", false)
	p.Ln(2)
	p.SetFont(family, "", 10)
	for _, f := range d.Fields {
		if f.Value == "" {
			continue
		}
		p.SetTextColor(90, 90, 90)
		p.CellFormat(35, 5, tr(clean(f.Label)), "", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.MultiCell(0, 5, tr(clean(f.Value)), "", "L", false)
	}
	p.Ln(3)
	x, y := p.GetXY()
	p.Line(x, y, 190, y)
	p.Ln(4)
	body := []rune(clean(d.Body))
	if len(body) > MaxBodyRunes {
		body = append(body[:MaxBodyRunes], []rune("\n\n[… gekürzt / truncated: see the original]")...)
	}
	p.MultiCell(0, 5, tr(string(body)), "", "L", false)
	if d.Footer != "" {
		p.Ln(6)
		p.SetFont(family, "", 8)
		p.SetTextColor(90, 90, 90)
		p.MultiCell(0, 4, tr(clean(d.Footer)), "", "L", false)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("rendition: %w", err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("rendition: %w", err)
	}
	return buf.Bytes(), nil
}

// Write renders d into path atomically (temp name, fsync, rename).
func Write(path string, d Doc) error {
	data, err := Render(d)
	if err != nil {
		return err
	}
	return safefile.Write(path, data, 0o640)
}

// clean keeps printable text, tabs as spaces and newlines; it drops other
// control characters and normalises line ends.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r == unicode.ReplacementChar:
			return '?'
		case unicode.IsControl(r), r == '\u00ad':
			return -1
		}
		return r
	}, s)
}
