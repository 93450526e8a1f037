package pdfa

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"poststelle/mailroom"
)

// Placement places a page image: the "cm" operands that map the image's
// unit square onto the page, and the page size in points, for an image of
// w×h pixels at dpi. analysis.Correction is one (turned and straightened).
type Placement interface {
	PDFMatrix(w, h int, dpi float64) (m [6]float64, pageW, pageH float64)
}

// Page is one page of a searchable PDF: the image as it came, how to place
// it, and the recognised words in the pixel coordinates of the placed page.
type Page struct {
	Image Image
	DPI   float64   // of the image; 0 means 300
	Place Placement // nil: upright, the image as it is
	Words []mailroom.Word
}

// Info is the document information (Info dictionary and XMP).
type Info struct {
	Title   string
	Created time.Time
}

// Writer writes a PDF/A-2b document page by page, so memory holds one
// page at a time.
type Writer struct {
	w       *countWriter
	offsets []int64 // by object number (index 0 unused)
	kids    []int
	iccs    map[[32]byte]int // ICC profile streams written, by content
	info    Info
	err     error
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter starts a PDF/A-2b document on w.
func NewWriter(w io.Writer, info Info) (*Writer, error) {
	if info.Created.IsZero() {
		info.Created = time.Now()
	}
	pw := &Writer{w: &countWriter{w: bufio.NewWriterSize(w, 1<<16)}, offsets: make([]int64, objFirstFree), info: info}
	pw.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	pw.writeFixed()
	return pw, pw.err
}

func (pw *Writer) printf(format string, a ...any) {
	if pw.err == nil {
		_, pw.err = fmt.Fprintf(pw.w, format, a...)
	}
}

func (pw *Writer) newObj() int {
	pw.offsets = append(pw.offsets, 0)
	return len(pw.offsets) - 1
}

func (pw *Writer) begin(n int) {
	pw.offsets[n] = pw.w.n
	pw.printf("%d 0 obj\n", n)
}

func (pw *Writer) obj(n int, body string) {
	pw.begin(n)
	pw.printf("%s\nendobj\n", body)
}

func (pw *Writer) stream(n int, dict string, data []byte) {
	pw.begin(n)
	pw.printf("<<%s /Length %d>>\nstream\n", dict, len(data))
	if pw.err == nil {
		_, pw.err = pw.w.Write(data)
	}
	pw.printf("\nendstream\nendobj\n")
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestSpeed)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// num formats a number for a content stream.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// upright places the image as it is.
type upright struct{}

func (upright) PDFMatrix(w, h int, dpi float64) ([6]float64, float64, float64) {
	k := 72 / dpi
	pw, ph := float64(w)*k, float64(h)*k
	return [6]float64{pw, 0, 0, ph, 0, 0}, pw, ph
}

// AddPage writes one page.
func (pw *Writer) AddPage(p Page) error {
	if pw.err != nil {
		return pw.err
	}
	img := p.Image
	if img.Width <= 0 || img.Height <= 0 || len(img.Data) == 0 {
		return fmt.Errorf("pdf: page image missing")
	}
	dpi := p.DPI
	if dpi <= 0 {
		dpi = 300
	}
	place := p.Place
	if place == nil {
		place = upright{}
	}
	m, pageW, pageH := place.PDFMatrix(img.Width, img.Height, dpi)
	imgObj, contentObj, pageObj := pw.newObj(), pw.newObj(), pw.newObj()
	pw.stream(imgObj, pw.imageDict(img), img.Data)
	var c bytes.Buffer
	fmt.Fprintf(&c, "q\n%s %s %s %s %s %s cm\n/Im0 Do\nQ\n", num(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]))
	textLayer(&c, p.Words, 72/dpi, pageH)
	pw.stream(contentObj, " /Filter /FlateDecode", deflate(c.Bytes()))
	pw.obj(pageObj, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 %d 0 R >> >> >>",
		objPages, num(pageW), num(pageH), contentObj, imgObj, objFont))
	pw.kids = append(pw.kids, pageObj)
	return pw.err
}

// imageDict returns the image XObject's dictionary entries, writing its
// ICC profile first (once per distinct profile).
func (pw *Writer) imageDict(img Image) string {
	cs := "/" + img.ColorSpace
	if img.ICC != nil {
		key := sha256.Sum256(append([]byte(img.ICC.Dict+"\x00"), img.ICC.Data...))
		n, ok := pw.iccs[key]
		if !ok {
			n = pw.newObj()
			pw.stream(n, img.ICC.Dict, img.ICC.Data)
			if pw.iccs == nil {
				pw.iccs = map[[32]byte]int{}
			}
			pw.iccs[key] = n
		}
		cs = fmt.Sprintf("[/ICCBased %d 0 R]", n)
	}
	dict := fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d /Filter /%s",
		img.Width, img.Height, cs, img.BPC, img.Filter)
	if img.DecodeParms != "" {
		dict += " /DecodeParms " + img.DecodeParms
	}
	if img.Decode != "" {
		dict += " /Decode " + img.Decode
	}
	return dict
}

// textLayer writes the words as invisible text (render mode 3), each
// scaled to its box; k is points per pixel, pageH the page height.
func textLayer(c *bytes.Buffer, words []mailroom.Word, k, pageH float64) {
	if len(words) == 0 {
		return
	}
	c.WriteString("BT\n3 Tr\n")
	for _, w := range words {
		units := utf16.Encode([]rune(w.Text))
		if len(units) == 0 || w.Box.Dx() <= 0 || w.Box.Dy() <= 0 {
			continue
		}
		fs := float64(w.Box.Dy()) * k
		width := float64(w.Box.Dx()) * k
		hz := 100 * width / (float64(len(units)) * fs * 0.5)
		x := float64(w.Box.Min.X) * k
		y := pageH - float64(w.Box.Max.Y)*k
		fmt.Fprintf(c, "/F1 %s Tf %s Tz 1 0 0 1 %s %s Tm <", num(fs), num(hz), num(x), num(y))
		for _, u := range units {
			fmt.Fprintf(c, "%04X", u)
		}
		c.WriteString("0020> Tj\n")
	}
	c.WriteString("ET\n")
}

// Close writes the page tree, catalog, cross-reference table and trailer.
func (pw *Writer) Close() error {
	if pw.err != nil {
		return pw.err
	}
	if len(pw.kids) == 0 {
		return fmt.Errorf("pdf: no pages")
	}
	var kids strings.Builder
	for _, k := range pw.kids {
		fmt.Fprintf(&kids, "%d 0 R ", k)
	}
	pw.obj(objPages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.TrimSpace(kids.String()), len(pw.kids)))
	pw.obj(objCatalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /RegistryName (http://www.color.org) /DestOutputProfile %d 0 R >>] >>",
		objPages, objMetadata, objICC))
	xref := pw.w.n
	pw.printf("xref\n0 %d\n0000000000 65535 f \n", len(pw.offsets))
	for _, off := range pw.offsets[1:] {
		pw.printf("%010d 00000 n \n", off)
	}
	id := md5.Sum([]byte(fmt.Sprintf("%s|%d|%d", pw.info.Title, pw.info.Created.UnixNano(), xref)))
	pw.printf("trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(pw.offsets), objCatalog, objInfo, id[:], id[:], xref)
	if pw.err == nil {
		pw.err = pw.w.w.Flush()
	}
	return pw.err
}
