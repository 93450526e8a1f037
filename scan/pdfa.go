package scan

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"poststelle/mailroom"
)

//go:embed assets/sRGB.icc
var srgbICC []byte

//go:embed assets/glyphless.ttf
var glyphlessTTF []byte

// PDFImage is a page image ready to be embedded.
type PDFImage struct {
	Data       []byte // encoded stream data
	Filter     string // "DCTDecode" or "FlateDecode"
	Width      int
	Height     int
	ColorSpace string // "DeviceGray" or "DeviceRGB" (ignored when ICC is set)
	BPC        int    // bits per component: 8, or 1 for bitonal
	// Taken over from a source PDF as they were (PDF syntax, "" if absent).
	DecodeParms string
	Decode      string
	ICC         *ICCProfile // an ICCBased colour space
}

// ICCProfile is an ICC profile stream copied from a source PDF: its
// dictionary entries (PDF syntax, without /Length) and encoded data.
type ICCProfile struct {
	Dict string
	Data []byte
}

// PDFPage is one page of a searchable PDF: the image as it came, how to
// place it upright and straight, and the recognised words in the pixel
// coordinates of the corrected page.
type PDFPage struct {
	Image      PDFImage
	DPI        float64
	Correction Correction
	Words      []mailroom.Word
}

// PDFInfo is the document information (Info dictionary and XMP).
type PDFInfo struct {
	Title   string
	Created time.Time
}

// PDFWriter writes a PDF/A-2b document page by page, so memory holds one
// page at a time.
type PDFWriter struct {
	w       *countWriter
	offsets []int64 // by object number (index 0 unused)
	kids    []int
	iccs    map[[32]byte]int // ICC profile streams written, by content
	info    PDFInfo
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

// Fixed object numbers.
const (
	objCatalog = 1 + iota
	objPages
	objFont
	objCIDFont
	objFontDesc
	objFontFile
	objCIDToGID
	objToUnicode
	objICC
	objMetadata
	objInfo
	objFirstFree
)

// NewPDFWriter starts a PDF/A-2b document on w.
func NewPDFWriter(w io.Writer, info PDFInfo) (*PDFWriter, error) {
	if info.Created.IsZero() {
		info.Created = time.Now()
	}
	pw := &PDFWriter{w: &countWriter{w: bufio.NewWriterSize(w, 1<<16)}, offsets: make([]int64, objFirstFree), info: info}
	pw.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	pw.writeFixed()
	return pw, pw.err
}

func (pw *PDFWriter) printf(format string, a ...any) {
	if pw.err == nil {
		_, pw.err = fmt.Fprintf(pw.w, format, a...)
	}
}

func (pw *PDFWriter) newObj() int {
	pw.offsets = append(pw.offsets, 0)
	return len(pw.offsets) - 1
}

func (pw *PDFWriter) begin(n int) {
	pw.offsets[n] = pw.w.n
	pw.printf("%d 0 obj\n", n)
}

func (pw *PDFWriter) obj(n int, body string) {
	pw.begin(n)
	pw.printf("%s\nendobj\n", body)
}

func (pw *PDFWriter) stream(n int, dict string, data []byte) {
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

const toUnicodeCMap = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`

func (pw *PDFWriter) writeFixed() {
	pw.obj(objFont, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", objCIDFont, objToUnicode))
	pw.obj(objCIDFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 500 /W [0 [500]] /CIDToGIDMap %d 0 R >>", objFontDesc, objCIDToGID))
	pw.obj(objFontDesc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>", objFontFile))
	pw.stream(objFontFile, fmt.Sprintf(" /Length1 %d", len(glyphlessTTF)), glyphlessTTF)
	gid := make([]byte, 2*65536)
	for i := 0; i < len(gid); i += 2 {
		gid[i+1] = 1 // every CID shows glyph 1, the invisible one
	}
	pw.stream(objCIDToGID, " /Filter /FlateDecode", deflate(gid))
	pw.stream(objToUnicode, "", []byte(toUnicodeCMap))
	pw.stream(objICC, " /N 3", srgbICC)
	created := pw.info.Created.UTC()
	pw.stream(objMetadata, " /Type /Metadata /Subtype /XML", []byte(xmpPacket(pw.info.Title, created)))
	pw.obj(objInfo, fmt.Sprintf("<< /Title %s /Producer (Poststelle) /Creator (Poststelle) /CreationDate (%s) /ModDate (%s) >>",
		pdfTextString(pw.info.Title), pdfDate(created), pdfDate(created)))
}

func pdfDate(t time.Time) string { return t.UTC().Format("D:20060102150405Z") }

// pdfTextString encodes s as a UTF-16BE text string with BOM.
func pdfTextString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func xmpPacket(title string, t time.Time) string {
	ts := t.Format("2006-01-02T15:04:05Z")
	return `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + xmlEscape(title) + `</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>` + ts + `</xmp:CreateDate>
   <xmp:ModifyDate>` + ts + `</xmp:ModifyDate>
   <xmp:CreatorTool>Poststelle</xmp:CreatorTool>
   <pdf:Producer>Poststelle</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
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

// AddPage writes one page.
func (pw *PDFWriter) AddPage(p PDFPage) error {
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
	m, pageW, pageH := p.Correction.pdfMatrix(img.Width, img.Height, dpi)
	imgObj, contentObj, pageObj := pw.newObj(), pw.newObj(), pw.newObj()
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
	pw.stream(imgObj, dict, img.Data)

	var c bytes.Buffer
	fmt.Fprintf(&c, "q\n%s %s %s %s %s %s cm\n/Im0 Do\nQ\n", num(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]))
	if len(p.Words) > 0 {
		k := 72 / dpi
		c.WriteString("BT\n3 Tr\n")
		for _, w := range p.Words {
			units := utf16.Encode([]rune(w.Text))
			if len(units) == 0 || w.Box.Dx() <= 0 || w.Box.Dy() <= 0 {
				continue
			}
			fs := float64(w.Box.Dy()) * k
			width := float64(w.Box.Dx()) * k
			hz := 100 * width / (float64(len(units)) * fs * 0.5)
			x := float64(w.Box.Min.X) * k
			y := pageH - float64(w.Box.Max.Y)*k
			fmt.Fprintf(&c, "/F1 %s Tf %s Tz 1 0 0 1 %s %s Tm <", num(fs), num(hz), num(x), num(y))
			for _, u := range units {
				fmt.Fprintf(&c, "%04X", u)
			}
			c.WriteString("0020> Tj\n")
		}
		c.WriteString("ET\n")
	}
	pw.stream(contentObj, " /Filter /FlateDecode", deflate(c.Bytes()))
	pw.obj(pageObj, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 %d 0 R >> >> >>",
		objPages, num(pageW), num(pageH), contentObj, imgObj, objFont))
	pw.kids = append(pw.kids, pageObj)
	return pw.err
}

// Close writes the page tree, catalog, cross-reference table and trailer.
func (pw *PDFWriter) Close() error {
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
