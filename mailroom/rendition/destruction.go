package rendition

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"poststelle/mailroom/evidence"
)

// DestructionList is the list of paper originals released for destruction
// (evidence.Destruction decides each row), printed to be signed by hand.
type DestructionList struct {
	Instance      string // the mailroom (configuration: instance)
	RetentionDays int    // evidence.retention_days
	Created       time.Time
	Rows          []evidence.DestructionRow
}

// destructionColumns are the PDF's table columns with their widths in mm
// (landscape A4).
var destructionColumns = []struct {
	head  string
	width float64
}{{"Stapel", 62}, {"Datei", 55}, {"Fachbereich", 25}, {"Eingang", 20}, {"Dok.", 10}, {"Exportiert", 20},
	{"Vernichtung ab", 24}, {"Freigabe", 50}, {"erlaubt", 12}}

// WriteDestructionPDF lays the list out as a landscape A4 PDF: title, the
// mailroom and retention period, one table row per batch (with the reasons
// under a batch that may not be destroyed yet) and lines for the signature.
// It uses a core font (Helvetica, cp1252), so it needs no font file.
func WriteDestructionPDF(w io.Writer, l DestructionList) error {
	p := fpdf.New("L", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetTitle("Vernichtungsfreigabe", true)
	p.AddPage()
	p.SetFont("Helvetica", "B", 14)
	p.CellFormat(0, 8, tr("Liste der zur Vernichtung freigegebenen Papieroriginale"), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	p.CellFormat(0, 5, tr(fmt.Sprintf("%s – erstellt %s – Aufbewahrungsfrist %d Tage – BSI TR-03138", l.Instance,
		l.Created.Format("02.01.2006 15:04"), l.RetentionDays)), "", 1, "L", false, 0, "")
	p.Ln(3)
	destructionTable(p, tr, l.Rows)
	p.Ln(8)
	p.CellFormat(0, 6, tr("Vernichtet am: ____________   durch: ______________________   Unterschrift: ______________________"), "", 1, "L", false, 0, "")
	return p.Output(w)
}

// destructionTable writes the header and one row per batch; a value wider
// than its column is cut.
func destructionTable(p *fpdf.Fpdf, tr func(string) string, rows []evidence.DestructionRow) {
	p.SetFont("Helvetica", "B", 8)
	for _, c := range destructionColumns {
		p.CellFormat(c.width, 6, tr(c.head), "1", 0, "L", false, 0, "")
	}
	p.Ln(-1)
	p.SetFont("Helvetica", "", 8)
	for _, r := range rows {
		vals := []string{r.BatchID, r.Filename, r.Department, day(r.ReceivedAt), strconv.Itoa(r.Documents), day(r.ExportedAt),
			day(r.DestroyFrom), r.ReleasedBy, yesNo(r.May)}
		for i, c := range destructionColumns {
			v := vals[i]
			for p.GetStringWidth(tr(v)) > c.width-1 && len(v) > 1 {
				v = v[:len(v)-1]
			}
			p.CellFormat(c.width, 6, tr(v), "1", 0, "L", false, 0, "")
		}
		p.Ln(-1)
		if !r.May && len(r.Reasons) > 0 {
			p.CellFormat(0, 5, tr("   noch nicht: "+strings.Join(r.Reasons, "; ")), "", 1, "L", false, 0, "")
		}
	}
}

// WriteDestructionCSV writes the rows as CSV with ';' as separator (what
// German spreadsheets expect) and German column names.
func WriteDestructionCSV(w io.Writer, rows []evidence.DestructionRow) error {
	c := csv.NewWriter(w)
	c.Comma = ';'
	c.Write([]string{"Stapel", "Datei", "Quelle", "Fachbereich", "Eingang", "Dokumente", "Seiten", "Exportiert", "Vernichtung ab",
		"Freigabe durch", "Freigabe am", "Vernichtung erlaubt", "Gründe"})
	for _, r := range rows {
		c.Write([]string{r.BatchID, r.Filename, r.Source, r.Department, day(r.ReceivedAt), strconv.Itoa(r.Documents),
			strconv.Itoa(r.Pages), day(r.ExportedAt), day(r.DestroyFrom), r.ReleasedBy, day(r.ReleasedAt), yesNo(r.May), strings.Join(r.Reasons, "; ")})
	}
	c.Flush()
	return c.Error()
}

// day is t as YYYY-MM-DD, "" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nein"
}
