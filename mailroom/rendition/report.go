package rendition

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"poststelle/mailroom/safefile"
)

// Finding is one entry of a check report: a rule that failed for an
// element and value.
type Finding struct {
	ID       string // rule id, e.g. BR-CO-15
	Severity string // shown as written, e.g. "Fehler / fatal"
	Message  string // German first, then English
	Element  string
	Value    string
}

// FindingGroup is a titled list of findings ("Fehler", "Warnungen").
type FindingGroup struct {
	Heading  string
	Empty    string // shown when there are no findings
	Findings []Finding
}

// Report is the content of a check report (e.g. the Prüfbericht of an
// e-invoice): title, labelled fields, a one-paragraph verdict, groups of
// findings and a footer.
type Report struct {
	Title   string
	Fields  []Field
	Verdict string
	Groups  []FindingGroup
	Footer  string
	Created time.Time
}

// MaxReportFindings bounds the findings printed per group; the rest are
// counted in one line (the metadata keeps every rule id).
const MaxReportFindings = 500

// RenderReport returns the PDF bytes of r.
func RenderReport(r Report) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	if !r.Created.IsZero() {
		p.SetCreationDate(r.Created)
		p.SetModificationDate(r.Created)
	}
	p.SetTitle(r.Title, true)
	p.SetCreator("Poststelle", true)
	w := newReportWriter(p)
	p.AddPage()
	w.text(14, 0, 7, r.Title)
	p.Ln(2)
	for _, f := range r.Fields {
		if f.Value != "" {
			w.field(f.Label, f.Value)
		}
	}
	p.Ln(3)
	w.text(11, 0, 6, r.Verdict)
	for _, g := range r.Groups {
		w.group(g)
	}
	if r.Footer != "" {
		p.Ln(6)
		w.text(8, 90, 4, r.Footer)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteReport renders r into path atomically (temp name, fsync, rename).
func WriteReport(path string, r Report) error {
	data, err := RenderReport(r)
	if err != nil {
		return err
	}
	return safefile.Write(path, data, 0o640)
}

// reportWriter holds the font choice (Unicode DejaVu, or a core font with cp1252).
type reportWriter struct {
	p      *fpdf.Fpdf
	family string
	tr     func(string) string
}

func newReportWriter(p *fpdf.Fpdf) *reportWriter {
	w := &reportWriter{p: p, family: "DejaVu", tr: func(s string) string { return s }}
	if fb := font(); fb != nil {
		p.AddUTF8FontFromBytes(w.family, "", fb)
	} else {
		w.family = "Helvetica"
		w.tr = p.UnicodeTranslatorFromDescriptor("")
	}
	return w
}

func (w *reportWriter) text(size float64, gray int, lh float64, s string) {
	w.p.SetFont(w.family, "", size)
	w.p.SetTextColor(gray, gray, gray)
	w.p.MultiCell(0, lh, w.tr(clean(s)), "", "L", false)
	w.p.SetTextColor(0, 0, 0)
}

func (w *reportWriter) field(label, value string) {
	w.p.SetFont(w.family, "", 10)
	w.p.SetTextColor(90, 90, 90)
	w.p.CellFormat(40, 5, w.tr(clean(label)), "", 0, "L", false, 0, "")
	w.p.SetTextColor(0, 0, 0)
	w.p.MultiCell(0, 5, w.tr(clean(value)), "", "L", false)
}

func (w *reportWriter) group(g FindingGroup) {
	p := w.p
	p.Ln(4)
	x, y := p.GetXY()
	p.Line(x, y, 190, y)
	p.Ln(2)
	w.text(12, 0, 6, g.Heading)
	if len(g.Findings) == 0 && g.Empty != "" {
		w.text(10, 90, 5, g.Empty)
	}
	for i, f := range g.Findings {
		if i == MaxReportFindings {
			w.text(10, 90, 5, fmt.Sprintf("… und %d weitere / and %d more", len(g.Findings)-i, len(g.Findings)-i))
			break
		}
		p.Ln(1)
		head := f.ID
		if f.Severity != "" {
			head += "  (" + f.Severity + ")"
		}
		w.text(10, 0, 5, head)
		w.text(9, 0, 4.5, f.Message)
		loc := "Element: " + f.Element
		if f.Value != "" {
			loc += "   Wert / value: " + f.Value
		}
		w.text(9, 90, 4.5, loc)
	}
}
