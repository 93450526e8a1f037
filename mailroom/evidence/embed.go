package evidence

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/digitorus/pdf"
)

// AFRelationship of the embedded Transfervermerk: it supplements the scan
// product with its evidence (ISO 19005-3, ISO 32000-2 7.11.3).
const AFRelationship = "Supplement"

// XMPNamespace is the namespace of the Transfervermerk summary in the XMP.
const XMPNamespace = "urn:poststelle:xmp:transfervermerk:1/"

// Summary is the part of the Transfervermerk repeated in the PDF's XMP.
type Summary struct {
	DocumentID  string
	Responsible string
	Protection  string
	QA          string // art/bestanden, e.g. "vollstaendig, bestanden"
	Captured    time.Time
	Sealed      time.Time
	Statement   string
}

func summaryOf(t *Transfervermerk) Summary {
	qa := t.QS.Art
	if t.QS.Durchgefuehrt {
		if t.QS.Bestanden {
			qa += ", bestanden"
		} else {
			qa += ", nicht bestanden"
		}
	}
	return Summary{DocumentID: t.DocumentID, Responsible: t.Verantwortlich.Freigabe, Protection: t.Dokument.Schutzbedarf,
		QA: qa, Captured: t.Zeitpunkte.Erfassung, Sealed: t.Zeitpunkte.Integritaetssicherung, Statement: t.Uebereinstimmung.Text}
}

// Embed adds the Transfervermerk to a PDF as an incremental update: an
// embedded file (PDF/A-3 associated file with /AF and /AFRelationship,
// listed in /Names /EmbeddedFiles), and an XMP packet extended by the
// summary (with its PDF/A extension schema; pdfaid:part 1 or 2 becomes 3,
// because PDF/A-3 is the part that allows an XML attachment). The original
// bytes stay a prefix of the result.
func Embed(orig, tvXML []byte, s Summary, now time.Time) ([]byte, error) {
	u, err := newUpdate(orig)
	if err != nil {
		return nil, err
	}
	root := u.r.Trailer().Key("Root")
	if root.Kind() != pdf.Dict {
		return nil, fmt.Errorf("PDF: no catalog")
	}
	rp := root.GetPtr()
	rootID, rootGen := rp.GetID(), rp.GetGen()

	efID, fsID, xmpID := u.alloc(), u.alloc(), u.alloc()
	sum := md5.Sum(tvXML)
	u.putStream(efID, fmt.Sprintf("/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size %d /ModDate %s /CheckSum <%s> >>",
		len(tvXML), pdfText(pdfDate(now)), hex.EncodeToString(sum[:])), tvXML)
	u.put(fsID, []byte(fmt.Sprintf("<< /Type /Filespec /F %s /UF %s /Desc %s /AFRelationship /%s /EF << /F %d 0 R /UF %d 0 R >> >>",
		pdfText(FileName), pdfText(FileName), pdfText("Transfervermerk (BSI TR-03138 A.NB.4) "+s.DocumentID),
		AFRelationship, efID, efID)))

	var oldXMP []byte
	if m := root.Key("Metadata"); m.Kind() == pdf.Stream {
		rd := m.Reader()
		oldXMP, _ = io.ReadAll(rd)
		rd.Close()
	}
	u.putStream(xmpID, "/Type /Metadata /Subtype /XML", extendXMP(oldXMP, s))

	var cat strings.Builder
	cat.WriteString("<<")
	for _, k := range root.Keys() {
		switch k {
		case "AF", "Names", "Metadata":
			continue
		}
		cat.WriteString(" " + pdfName(k) + " ")
		writeValue(&cat, root.Key(k), rootID)
	}
	// /AF: existing associated files plus ours.
	cat.WriteString(" /AF [")
	if af := root.Key("AF"); af.Kind() == pdf.Array {
		ap := af.GetPtr()
		for i := 0; i < af.Len(); i++ {
			writeValue(&cat, af.Index(i), ap.GetID())
			cat.WriteByte(' ')
		}
	}
	fmt.Fprintf(&cat, "%d 0 R]", fsID)
	// /Names: other name trees kept, EmbeddedFiles flattened with ours added.
	cat.WriteString(" /Names <<")
	names := root.Key("Names")
	np := names.GetPtr()
	for _, k := range names.Keys() {
		if k == "EmbeddedFiles" {
			continue
		}
		cat.WriteString(" " + pdfName(k) + " ")
		writeValue(&cat, names.Key(k), np.GetID())
	}
	leaves := map[string]string{}
	collectNames(names.Key("EmbeddedFiles"), leaves, 0)
	leaves[FileName] = fmt.Sprintf("%d 0 R", fsID)
	keys := make([]string, 0, len(leaves))
	for k := range leaves {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cat.WriteString(" /EmbeddedFiles << /Names [")
	for _, k := range keys {
		fmt.Fprintf(&cat, " <%s> %s", hex.EncodeToString([]byte(k)), leaves[k])
	}
	cat.WriteString(" ] >> >>")
	fmt.Fprintf(&cat, " /Metadata %d 0 R >>", xmpID)
	if rootGen != 0 {
		return nil, fmt.Errorf("PDF: catalog generation %d not supported", rootGen)
	}
	u.put(rootID, []byte(cat.String()))
	return u.finish()
}

// collectNames gathers the leaves of a name tree (key → serialised value).
func collectNames(node pdf.Value, out map[string]string, depth int) {
	if node.Kind() != pdf.Dict || depth > 32 {
		return
	}
	p := node.GetPtr()
	if arr := node.Key("Names"); arr.Kind() == pdf.Array {
		ap := arr.GetPtr()
		for i := 0; i+1 < arr.Len(); i += 2 {
			var b strings.Builder
			c := ap.GetID()
			if c == 0 {
				c = p.GetID()
			}
			writeValue(&b, arr.Index(i+1), c)
			out[arr.Index(i).RawString()] = b.String()
		}
	}
	if kids := node.Key("Kids"); kids.Kind() == pdf.Array {
		for i := 0; i < kids.Len(); i++ {
			collectNames(kids.Index(i), out, depth+1)
		}
	}
}

func pdfDate(t time.Time) string {
	return t.UTC().Format("D:20060102150405") + "Z"
}

var (
	reRDFEnd   = regexp.MustCompile(`</rdf:RDF>`)
	rePartAttr = regexp.MustCompile(`pdfaid:part\s*=\s*["'][12]["']`)
	rePartElem = regexp.MustCompile(`<pdfaid:part>\s*[12]\s*</pdfaid:part>`)
	reOldTV    = regexp.MustCompile(`(?s)<rdf:Description[^>]*xmlns:ptv="[^"]*"[^>]*>.*?</rdf:Description>`)
)

// extendXMP adds the Transfervermerk summary (and its PDF/A extension schema)
// to an XMP packet, or makes a minimal packet when there is none.
func extendXMP(old []byte, s Summary) []byte {
	desc := xmpDescription(s)
	x := string(old)
	if x == "" || !reRDFEnd.MatchString(x) {
		return []byte(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
` + desc + `</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`)
	}
	x = reOldTV.ReplaceAllString(x, "")
	x = rePartAttr.ReplaceAllString(x, `pdfaid:part="3"`)
	x = rePartElem.ReplaceAllString(x, `<pdfaid:part>3</pdfaid:part>`)
	loc := reRDFEnd.FindAllStringIndex(x, -1)
	last := loc[len(loc)-1]
	return []byte(x[:last[0]] + desc + x[last[0]:])
}

func xmpDescription(s Summary) string {
	e := html.EscapeString
	prop := func(name, typ, desc string) string {
		return `<rdf:li rdf:parseType="Resource"><pdfaProperty:name>` + name + `</pdfaProperty:name><pdfaProperty:valueType>` + typ +
			`</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>` + desc +
			`</pdfaProperty:description></rdf:li>`
	}
	return `<rdf:Description rdf:about="" xmlns:ptv="` + XMPNamespace + `" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Poststelle Transfervermerk</pdfaSchema:schema><pdfaSchema:namespaceURI>` + XMPNamespace + `</pdfaSchema:namespaceURI><pdfaSchema:prefix>ptv</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>` +
		prop("DocumentID", "Text", "document UUID binding scan product and Transfervermerk") +
		prop("File", "Text", "name of the embedded Transfervermerk") +
		prop("Responsible", "Text", "responsible natural person") +
		prop("Protection", "Text", "protection level") +
		prop("QualityCheck", "Text", "quality check and result") +
		prop("CaptureDate", "Date", "time of capture") +
		prop("SealDate", "Date", "time of integrity protection") +
		prop("Statement", "Text", "statement of image and content match") +
		`</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>
<ptv:DocumentID>` + e(s.DocumentID) + `</ptv:DocumentID>
<ptv:File>` + FileName + `</ptv:File>
<ptv:Responsible>` + e(s.Responsible) + `</ptv:Responsible>
<ptv:Protection>` + e(s.Protection) + `</ptv:Protection>
<ptv:QualityCheck>` + e(s.QA) + `</ptv:QualityCheck>
<ptv:CaptureDate>` + s.Captured.UTC().Format(time.RFC3339) + `</ptv:CaptureDate>
<ptv:SealDate>` + s.Sealed.UTC().Format(time.RFC3339) + `</ptv:SealDate>
<ptv:Statement>` + e(s.Statement) + `</ptv:Statement>
</rdf:Description>
`
}

// Embedded returns the Transfervermerk embedded in a PDF (nil if none) and
// whether the catalog lists it in /AF with an /AFRelationship.
func Embedded(data []byte) (tv []byte, inAF bool, err error) {
	r, err := pdf.NewReader(newReaderAt(data), int64(len(data)))
	if err != nil {
		return nil, false, fmt.Errorf("PDF: %w", err)
	}
	root := r.Trailer().Key("Root")
	af := root.Key("AF")
	for i := 0; i < af.Len(); i++ {
		fs := af.Index(i)
		if fs.Key("UF").Text() == FileName || fs.Key("F").Text() == FileName {
			inAF = fs.Key("AFRelationship").Kind() == pdf.Name
		}
	}
	leaves := map[string]pdf.Value{}
	walkNames(root.Key("Names").Key("EmbeddedFiles"), leaves, 0)
	fs, ok := leaves[FileName]
	if !ok {
		return nil, inAF, nil
	}
	ef := fs.Key("EF").Key("F")
	if ef.Kind() != pdf.Stream {
		return nil, inAF, fmt.Errorf("PDF: embedded %s has no stream", FileName)
	}
	rd := ef.Reader()
	defer rd.Close()
	tv, err = io.ReadAll(rd)
	return tv, inAF, err
}

func walkNames(node pdf.Value, out map[string]pdf.Value, depth int) {
	if node.Kind() != pdf.Dict || depth > 32 {
		return
	}
	if arr := node.Key("Names"); arr.Kind() == pdf.Array {
		for i := 0; i+1 < arr.Len(); i += 2 {
			out[arr.Index(i).RawString()] = arr.Index(i + 1)
		}
	}
	if kids := node.Key("Kids"); kids.Kind() == pdf.Array {
		for i := 0; i < kids.Len(); i++ {
			walkNames(kids.Index(i), out, depth+1)
		}
	}
}

// XMP returns the XMP packet of a PDF's catalog ("" if none).
func XMP(data []byte) (string, error) {
	r, err := pdf.NewReader(newReaderAt(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	m := r.Trailer().Key("Root").Key("Metadata")
	if m.Kind() != pdf.Stream {
		return "", nil
	}
	rd := m.Reader()
	defer rd.Close()
	b, err := io.ReadAll(rd)
	return string(b), err
}
