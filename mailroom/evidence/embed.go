package evidence

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"sort"
	"time"

	"poststelle/mailroom/pdf"
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
	u, err := pdf.NewUpdate(orig)
	if err != nil {
		return nil, err
	}
	r := u.Reader()
	root, rootRef, err := r.Catalog()
	if err != nil {
		return nil, fmt.Errorf("PDF: no catalog")
	}
	efID, fsID, xmpID := u.Alloc(), u.Alloc(), u.Alloc()
	sum := md5.Sum(tvXML)
	u.PutStream(efID, fmt.Sprintf("/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size %d /ModDate %s /CheckSum <%s> >>",
		len(tvXML), pdf.TextString(pdf.Date(now)), hex.EncodeToString(sum[:])), tvXML)
	u.Put(fsID, []byte(fmt.Sprintf("<< /Type /Filespec /F %s /UF %s /Desc %s /AFRelationship /%s /EF << /F %d 0 R /UF %d 0 R >> >>",
		pdf.TextString(FileName), pdf.TextString(FileName), pdf.TextString("Transfervermerk (BSI TR-03138 A.NB.4) "+s.DocumentID),
		AFRelationship, efID, efID)))
	u.PutStream(xmpID, "/Type /Metadata /Subtype /XML", extendXMP(oldXMP(r), s))
	cat, err := embedCatalog(r, root, fsID, xmpID)
	if err != nil {
		return nil, err
	}
	if rootRef.Gen != 0 {
		return nil, fmt.Errorf("PDF: catalog generation %d not supported", rootRef.Gen)
	}
	u.Put(rootRef.Num, cat)
	return u.Finish()
}

// embedCatalog returns the new catalog: every entry kept, /AF with the
// Transfervermerk's file specification fsID added, /Names /EmbeddedFiles
// flattened with it added, /Metadata pointing at xmpID.
func embedCatalog(r *pdf.Reader, root pdf.Dict, fsID, xmpID int) ([]byte, error) {
	var cat bytes.Buffer
	cat.WriteString("<<")
	for _, k := range root.Keys() {
		switch k {
		case "AF", "Names", "Metadata":
			continue
		}
		cat.WriteString(" " + pdf.NameString(string(k)) + " ")
		if err := pdf.Write(&cat, root[k]); err != nil {
			return nil, err
		}
	}
	// /AF: existing associated files plus ours.
	cat.WriteString(" /AF [")
	af, err := r.Resolve(root["AF"])
	if err != nil {
		return nil, err
	}
	if a, ok := af.(pdf.Array); ok {
		for _, e := range a {
			if err := pdf.Write(&cat, e); err != nil {
				return nil, err
			}
			cat.WriteByte(' ')
		}
	}
	fmt.Fprintf(&cat, "%d 0 R]", fsID)
	if err := embedNames(r, &cat, root["Names"], fsID); err != nil {
		return nil, err
	}
	fmt.Fprintf(&cat, " /Metadata %d 0 R >>", xmpID)
	return cat.Bytes(), nil
}

// embedNames writes the catalog's /Names: other name trees kept,
// EmbeddedFiles flattened with the Transfervermerk (fsID) added.
func embedNames(r *pdf.Reader, cat *bytes.Buffer, namesObj any, fsID int) error {
	cat.WriteString(" /Names <<")
	no, err := r.Resolve(namesObj)
	if err != nil {
		return err
	}
	names, _ := no.(pdf.Dict)
	for _, k := range names.Keys() {
		if k == "EmbeddedFiles" {
			continue
		}
		cat.WriteString(" " + pdf.NameString(string(k)) + " ")
		if err := pdf.Write(cat, names[k]); err != nil {
			return err
		}
	}
	tree, err := r.NameTree(names["EmbeddedFiles"])
	if err != nil {
		return err
	}
	leaves := map[string]string{}
	for k, v := range tree {
		var b bytes.Buffer
		if err := pdf.Write(&b, v); err != nil {
			return err
		}
		leaves[k] = b.String()
	}
	leaves[FileName] = fmt.Sprintf("%d 0 R", fsID)
	keys := make([]string, 0, len(leaves))
	for k := range leaves {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cat.WriteString(" /EmbeddedFiles << /Names [")
	for _, k := range keys {
		fmt.Fprintf(cat, " <%s> %s", hex.EncodeToString([]byte(k)), leaves[k])
	}
	cat.WriteString(" ] >> >>")
	return nil
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

// maxEmbedded bounds the embedded Transfervermerk read from a PDF.
const maxEmbedded = 16 << 20

// Embedded returns the Transfervermerk embedded in a PDF (nil if none) and
// whether the catalog lists it in /AF with an /AFRelationship.
func Embedded(data []byte) (tv []byte, inAF bool, err error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false, fmt.Errorf("PDF: %w", err)
	}
	root, _, err := r.Catalog()
	if err != nil {
		return nil, false, fmt.Errorf("PDF: %w", err)
	}
	if inAF, err = listedInAF(r, root); err != nil {
		return nil, false, fmt.Errorf("PDF: %w", err)
	}
	names, err := r.Dict(root["Names"])
	if err != nil {
		names = nil // no name dictionary: nothing embedded
	}
	leaves, err := r.NameTree(names["EmbeddedFiles"])
	if err != nil {
		return nil, inAF, fmt.Errorf("PDF: %w", err)
	}
	fs, ok := leaves[FileName]
	if !ok {
		return nil, inAF, nil
	}
	_, ef, err := r.EmbeddedFile(fs)
	if err != nil {
		return nil, inAF, fmt.Errorf("PDF: embedded %s has no stream", FileName)
	}
	tv, err = r.DecodeStream(ef, maxEmbedded)
	return tv, inAF, err
}

// listedInAF reports whether the catalog's /AF lists a file specification
// of the Transfervermerk with an /AFRelationship.
func listedInAF(r *pdf.Reader, root pdf.Dict) (bool, error) {
	ao, err := r.Resolve(root["AF"])
	if err != nil {
		return false, err
	}
	af, _ := ao.(pdf.Array)
	inAF := false
	for _, e := range af {
		fs, err := r.Dict(e)
		if err != nil {
			continue
		}
		if r.TextOf(fs["UF"]) == FileName || r.TextOf(fs["F"]) == FileName {
			_, inAF = fs["AFRelationship"].(pdf.Name)
		}
	}
	return inAF, nil
}

// XMP returns the XMP packet of a PDF's catalog ("" if none).
func XMP(data []byte) (string, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	x, err := r.Metadata()
	return string(x), err
}

// oldXMP returns the XMP packet the PDF has (nil if none or unreadable).
func oldXMP(r *pdf.Reader) []byte {
	x, err := r.Metadata()
	if err != nil {
		return nil
	}
	return x
}
