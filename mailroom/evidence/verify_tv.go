package evidence

import (
	"bytes"
	"poststelle/mailroom"
	"strings"
)

// Where the Transfervermerk is kept (TVIntegritaet.Einbettung).
const (
	EmbeddedInPDF = "eingebettet" // in document.pdf as associated file, and beside it
	BesideOnly    = "abgesetzt"   // beside the unchanged product only
)

// namesOurPDF reports whether the Transfervermerk's product is the scan
// product document.pdf (not a document of record or the original).
func namesOurPDF(t *Transfervermerk) bool {
	return t.Dokument.Scanprodukt != nil && t.Dokument.Scanprodukt.Name == mailroom.FileDocument
}

// embeddedExpected reports whether the Transfervermerk must be embedded in
// the PDF: as it says, or — for one from before it said so — as its seal
// implies.
func embeddedExpected(t *Transfervermerk) bool {
	switch t.Integritaet.Einbettung {
	case EmbeddedInPDF:
		return true
	case BesideOnly:
		return false
	}
	if strings.HasPrefix(t.Integritaet.Siegel, "CAdES") {
		return false
	}
	return namesOurPDF(t)
}

// transfervermerk finds and checks the Transfervermerk: embedded in the PDF
// (as associated file) and beside it in a document folder, both equal. It
// reports false when there is none: without it nothing binds the material.
func (c *docCheck) transfervermerk() bool {
	rep := c.rep
	var besideTV *Transfervermerk
	var besideErr error
	if c.m.beside != nil {
		besideTV, besideErr = ParseTransfervermerk(c.m.beside)
	}
	record := besideTV != nil && !namesOurPDF(besideTV)
	var embTV *Transfervermerk
	if c.m.pdf != nil && !record {
		embTV = c.embeddedTV()
	}
	switch {
	case c.m.beside == nil && c.m.isDir:
		rep.add("transfervermerk-file", Fail, "%s fehlt im Dokumentordner", "%s missing from the document folder", FileName)
	case c.m.beside == nil:
	case besideErr != nil:
		rep.add("transfervermerk-file", Fail, "%s unlesbar: %v", "%s unreadable: %v", FileName, besideErr)
	case c.embedded != nil && !bytes.Equal(c.m.beside, c.embedded):
		rep.add("transfervermerk-file", Fail, "%s weicht vom im PDF eingebetteten Transfervermerk ab", "%s differs from the Transfervermerk embedded in the PDF", FileName)
	case embTV != nil && besideTV.DocumentID != embTV.DocumentID:
		rep.add("transfervermerk-file", Fail, "%s gehört zu Dokument %s, nicht %s", "%s belongs to document %s, not %s", FileName, besideTV.DocumentID, embTV.DocumentID)
	default:
		c.beside = c.m.beside
		rep.add("transfervermerk-file", OK, "%s vorhanden und gleich dem eingebetteten", "%s present and equal to the embedded one", FileName)
	}
	c.tv, c.tvXML = embTV, c.embedded
	if c.tv == nil && c.beside != nil {
		c.tv, c.tvXML = besideTV, c.beside
	}
	if c.tv == nil {
		rep.add("transfervermerk", Fail, "kein gültiger Transfervermerk: nichts belegt Herkunft und Unversehrtheit (keine Beweisdaten)",
			"no valid Transfervermerk: nothing proves origin and integrity (no evidence)")
		return false
	}
	rep.DocumentID = c.tv.DocumentID
	c.ourPDF = namesOurPDF(c.tv)
	if c.ourPDF && embeddedExpected(c.tv) && c.embedded == nil && c.m.pdf != nil && !rep.has("transfervermerk-embedded") {
		rep.add("transfervermerk-embedded", Fail, "kein Transfervermerk im PDF eingebettet, obwohl er dort sein muss (PDF ersetzt oder neu geschrieben?)",
			"no Transfervermerk embedded in the PDF, though it must be there (PDF replaced or rewritten?)")
	}
	return true
}

// embeddedTV checks the Transfervermerk embedded in the PDF; it returns it
// parsed when it is readable and linked as associated file.
func (c *docCheck) embeddedTV() *Transfervermerk {
	emb, inAF, err := Embedded(c.m.pdf)
	switch {
	case err != nil:
		c.rep.add("pdf", Fail, "PDF nicht lesbar: %v", "PDF unreadable: %v", err)
		return nil
	case emb == nil:
		return nil
	}
	c.embedded = emb
	t, perr := ParseTransfervermerk(emb)
	switch {
	case perr != nil:
		c.rep.add("transfervermerk-embedded", Fail, "eingebetteter Transfervermerk unlesbar: %v", "embedded Transfervermerk unreadable: %v", perr)
	case !inAF:
		c.rep.add("transfervermerk-embedded", Fail, "Transfervermerk eingebettet, aber nicht als zugehörige Datei (/AF) verknüpft",
			"Transfervermerk embedded but not linked as associated file (/AF)")
	default:
		c.rep.add("transfervermerk-embedded", OK, "Transfervermerk eingebettet (/AF), Dokument %s", "Transfervermerk embedded (/AF), document %s", t.DocumentID)
		return t
	}
	c.embedded = nil
	return nil
}

// product checks that the product the Transfervermerk binds is unchanged:
// the scan product as prefix of document.pdf (the evidence follows it), the
// document of record or the original found by hash.
func (c *docCheck) product() {
	rep, d := c.rep, c.tv.Dokument
	if c.ourPDF {
		p := d.Scanprodukt
		data := c.m.pdf
		switch {
		case data == nil:
			rep.add("document-hash", Fail, "Scanprodukt %s fehlt", "scan product %s missing", mailroom.FileDocument)
		case p.Groesse <= 0 || p.Groesse > int64(len(data)):
			rep.add("document-hash", Fail, "Scanprodukt gekürzt: %d Bytes erwartet", "scan product truncated: %d bytes expected", p.Groesse)
		case sha(data[:p.Groesse]) != p.SHA256:
			rep.add("document-hash", Fail, "Scanprodukt verändert: SHA-256 der ersten %d Bytes weicht vom Transfervermerk ab",
				"scan product changed: SHA-256 of the first %d bytes differs from the Transfervermerk", p.Groesse)
		default:
			c.productData = data
			rep.add("document-hash", OK, "Scanprodukt unverändert (SHA-256 %s…)", "scan product unchanged (SHA-256 %s…)", short16(p.SHA256))
		}
		return
	}
	want, what, whatEN := d.Scanprodukt, "Original (Dokument der Aufzeichnung)", "original (document of record)"
	if want == nil {
		want, what, whatEN = &d.Original, "Original", "original"
	}
	name, data, err := findFile(c.m, want)
	switch {
	case err != nil:
		rep.add("document-hash", Fail, what+" %s nicht lesbar: %v", whatEN+" %s unreadable: %v", want.Name, err)
	case data == nil:
		rep.add("document-hash", Fail, what+" %s fehlt oder ist verändert: keine Datei mit SHA-256 %s…",
			whatEN+" %s missing or changed: no file with SHA-256 %s…", want.Name, short16(want.SHA256))
	default:
		c.productData = data
		rep.add("document-hash", OK, what+" %s unverändert (SHA-256 %s…)", whatEN+" %s unchanged (SHA-256 %s…)", name, short16(want.SHA256))
	}
}

// xmp checks the XMP summary of a PDF the Transfervermerk is embedded in.
func (c *docCheck) xmp() {
	if !c.ourPDF || c.embedded == nil {
		return
	}
	x, err := XMP(c.m.pdf)
	if err != nil || !strings.Contains(x, "<ptv:DocumentID>"+c.tv.DocumentID+"</ptv:DocumentID>") {
		c.rep.add("xmp", Fail, "XMP nennt die Dokument-ID %s nicht", "XMP does not carry document id %s", c.tv.DocumentID)
		return
	}
	c.rep.add("xmp", OK, "XMP-Zusammenfassung an Dokument %s gebunden", "XMP summary bound to document %s", c.tv.DocumentID)
}

// metadata checks that a metadata.json beside belongs to the document.
func (c *docCheck) metadata() {
	id, ok, err := metadataDocumentID(c.m.dir)
	switch {
	case err != nil:
		c.rep.add("metadata", Fail, "metadata.json nicht lesbar: %v", "metadata.json unreadable: %v", err)
	case !ok || !c.m.isDir:
	case id != c.tv.DocumentID:
		c.rep.add("metadata", Fail, "metadata.json gehört nicht zu Dokument %s", "metadata.json does not belong to document %s", c.tv.DocumentID)
	default:
		c.rep.add("metadata", OK, "metadata.json gehört zu Dokument %s", "metadata.json belongs to document %s", c.tv.DocumentID)
	}
}

func short16(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// has reports whether the report has a check of that name.
func (r *Report) has(name string) bool {
	for _, c := range r.Checks {
		if c.Name == name {
			return true
		}
	}
	return false
}
