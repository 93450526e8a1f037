package pdfa

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"poststelle/mailroom/pdf"
)

//go:embed assets/sRGB.icc
var srgbICC []byte

//go:embed assets/glyphless.ttf
var glyphlessTTF []byte

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

// writeFixed writes the objects every document has: the invisible font,
// the sRGB profile of the output intent, XMP and Info.
func (pw *Writer) writeFixed() {
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
		pdf.UTF16TextString(pw.info.Title), pdf.Date(created), pdf.Date(created)))
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
