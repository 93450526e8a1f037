package evidence

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"

	"poststelle/mailroom"
)

// Check statuses.
const (
	OK   = "ok"
	Fail = "fehler"
	Warn = "warnung"
	Skip = "nicht geprüft"
)

// Check is one line of a verification report.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	DE     string `json:"de"`
	EN     string `json:"en"`
}

// Report is the result of verifying one document's material.
type Report struct {
	Path       string  `json:"path"`
	DocumentID string  `json:"document_id,omitempty"`
	Checks     []Check `json:"checks"`
}

// OK reports whether no check failed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return false
		}
	}
	return true
}

// Failed lists the names of the failed checks.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

func (r *Report) add(name, status, de, en string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, Status: status, DE: fmt.Sprintf(de, args...), EN: fmt.Sprintf(en, args...)})
}

// VerifyOptions are what Verify may use besides the files.
type VerifyOptions struct {
	// Trust, if set, is the pool of CA certificates for seals and timestamps.
	Trust *x509.CertPool
	// Journal, if set, returns the complete journal; ChainCheck checks it
	// (store.VerifyEntries) and returns a *store.ChainError-like error.
	Journal    func(ctx context.Context) ([]mailroom.JournalEntry, error)
	ChainCheck func([]mailroom.JournalEntry) (int64, error)
	// Records, if set, gives the stored evidence record, batch seal and the
	// timestamps over journal heads (checked together with the journal).
	Records Records
}

// Verify checks a delivered PDF, or a document folder (out/<id>/ or a
// folder target's copy): document hash, embedded and beside Transfervermerk,
// XMP binding, seal, timestamp, batch-seal proof and, with a store, the
// journal chain and the hashes journaled at approval.
func Verify(ctx context.Context, path string, o VerifyOptions) (*Report, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	rep := &Report{Path: path}
	dir, pdfPath := path, ""
	var record []byte // the original as document of record, when the Transfervermerk names one
	if fi.IsDir() {
		var ok bool
		if record, ok, err = findRecord(rep, dir); err != nil {
			return nil, err
		}
		if ok {
			// the rendition beside it is not the product: no PDF checks
		} else if _, err := os.Stat(filepath.Join(dir, PDFName)); err == nil {
			pdfPath = filepath.Join(dir, PDFName)
		} else if m, _ := filepath.Glob(filepath.Join(dir, "*.pdf")); len(m) == 1 {
			pdfPath = m[0]
		}
	} else {
		dir, pdfPath = filepath.Dir(path), path
	}
	var embedded []byte
	var pdfData []byte
	if pdfPath != "" {
		pdfData, err = os.ReadFile(pdfPath)
		if err != nil {
			return nil, err
		}
	}
	tvPath := filepath.Join(dir, FileName)
	beside, besideErr := os.ReadFile(tvPath)
	if fi.IsDir() || besideErr == nil {
		// the beside copy belongs to this PDF only when its id matches (checked below)
	}
	var tv *Transfervermerk
	if pdfData != nil {
		emb, inAF, err := Embedded(pdfData)
		switch {
		case err != nil:
			rep.add("pdf", Fail, "PDF nicht lesbar: %v", "PDF unreadable: %v", err)
		case emb == nil:
			rep.add("transfervermerk-embedded", Warn, "kein Transfervermerk im PDF eingebettet", "no Transfervermerk embedded in the PDF")
		default:
			embedded = emb
			t, perr := ParseTransfervermerk(emb)
			if perr != nil {
				rep.add("transfervermerk-embedded", Fail, "eingebetteter Transfervermerk unlesbar: %v", "embedded Transfervermerk unreadable: %v", perr)
			} else if !inAF {
				rep.add("transfervermerk-embedded", Fail, "Transfervermerk eingebettet, aber nicht als zugehörige Datei (/AF) verknüpft",
					"Transfervermerk embedded but not linked as associated file (/AF)")
			} else {
				tv = t
				rep.add("transfervermerk-embedded", OK, "Transfervermerk eingebettet (/AF), Dokument %s", "Transfervermerk embedded (/AF), document %s", t.DocumentID)
			}
		}
	}
	if besideErr == nil {
		t, perr := ParseTransfervermerk(beside)
		switch {
		case perr != nil:
			rep.add("transfervermerk-file", Fail, "%s unlesbar: %v", "%s unreadable: %v", FileName, perr)
		case embedded != nil && !bytes.Equal(beside, embedded):
			rep.add("transfervermerk-file", Fail, "%s weicht vom im PDF eingebetteten Transfervermerk ab", "%s differs from the Transfervermerk embedded in the PDF", FileName)
		case tv != nil && t.DocumentID != tv.DocumentID:
			rep.add("transfervermerk-file", Fail, "%s gehört zu Dokument %s, nicht %s", "%s belongs to document %s, not %s", FileName, t.DocumentID, tv.DocumentID)
		default:
			if tv == nil {
				tv = t
			}
			rep.add("transfervermerk-file", OK, "%s vorhanden und gleich dem eingebetteten", "%s present and equal to the embedded one", FileName)
		}
	} else if pdfData == nil && record == nil {
		return nil, mailroom.BadInput("weder PDF noch Transfervermerk gefunden", "neither a PDF nor a Transfervermerk found", nil)
	}
	if tv != nil {
		rep.DocumentID = tv.DocumentID
	}
	if pdfData != nil {
		verifyPDF(rep, pdfData, tv, o)
	}
	product := pdfData
	if record != nil {
		product = record
	}
	verifyDetached(ctx, rep, dir, beside, pdfData, o)
	verifyMetadata(rep, dir, tv)
	verifyProofFile(rep, dir, product, beside, embedded, tv)
	if o.Journal != nil {
		verifyJournal(ctx, rep, product, beside, embedded, o)
	} else {
		rep.add("journal", Skip, "Protokoll nicht erreichbar (--data-dir angeben)", "journal not reachable (give --data-dir)")
	}
	return rep, nil
}

func verifyPDF(rep *Report, data []byte, tv *Transfervermerk, o VerifyOptions) {
	if tv != nil && tv.Dokument.Scanprodukt != nil {
		p := tv.Dokument.Scanprodukt
		switch {
		case p.Groesse <= 0 || p.Groesse > int64(len(data)):
			rep.add("document-hash", Fail, "Scanprodukt gekürzt: %d Bytes erwartet", "scan product truncated: %d bytes expected", p.Groesse)
		case sha(data[:p.Groesse]) != p.SHA256:
			rep.add("document-hash", Fail, "Scanprodukt verändert: SHA-256 der ersten %d Bytes weicht vom Transfervermerk ab",
				"scan product changed: SHA-256 of the first %d bytes differs from the Transfervermerk", p.Groesse)
		default:
			rep.add("document-hash", OK, "Scanprodukt unverändert (SHA-256 %s…)", "scan product unchanged (SHA-256 %s…)", p.SHA256[:16])
		}
	}
	if tv != nil {
		x, err := XMP(data)
		if err != nil || !strings.Contains(x, "<ptv:DocumentID>"+tv.DocumentID+"</ptv:DocumentID>") {
			rep.add("xmp", Fail, "XMP nennt die Dokument-ID %s nicht", "XMP does not carry document id %s", tv.DocumentID)
		} else {
			rep.add("xmp", OK, "XMP-Zusammenfassung an Dokument %s gebunden", "XMP summary bound to document %s", tv.DocumentID)
		}
	}
	sigs, err := pdfSignatures(data)
	if err != nil {
		rep.add("seal", Fail, "Signaturen nicht lesbar: %v", "signatures unreadable: %v", err)
		return
	}
	if len(sigs) == 0 {
		if tv != nil && strings.HasPrefix(tv.Integritaet.Siegel, "PAdES") {
			rep.add("seal", Fail, "laut Transfervermerk gesiegelt, aber keine Signatur im PDF", "Transfervermerk says sealed, but the PDF has no signature")
		} else {
			rep.add("seal", Warn, "PDF ist nicht gesiegelt", "PDF is not sealed")
		}
		return
	}
	last := sigs[len(sigs)-1]
	checkCMS(rep, "seal", last.contents, last.signed, o)
	if end := last.br[2] + last.br[3]; end != int64(len(data)) {
		rep.add("seal-coverage", Fail, "nach dem Siegel wurden %d Bytes angehängt oder entfernt", "%d bytes were appended or removed after the seal",
			int64(len(data))-end)
	} else {
		rep.add("seal-coverage", OK, "Siegel deckt die ganze Datei ab", "seal covers the whole file")
	}
}

type pdfSig struct {
	br       [4]int64
	contents []byte
	signed   []byte
}

func pdfSignatures(data []byte) (out []pdfSig, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed PDF: %v", p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	fields := r.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		v := fields.Index(i).Key("V")
		if v.Key("Type").Name() != "Sig" && fields.Index(i).Key("FT").Name() != "Sig" {
			continue
		}
		brv := v.Key("ByteRange")
		if brv.Len() != 4 {
			return nil, fmt.Errorf("signature without /ByteRange")
		}
		var s pdfSig
		for k := 0; k < 4; k++ {
			s.br[k] = brv.Index(k).Int64()
		}
		if s.br[0] < 0 || s.br[1] < 0 || s.br[2] < s.br[0]+s.br[1] || s.br[3] < 0 || s.br[2]+s.br[3] > int64(len(data)) {
			return nil, fmt.Errorf("signature /ByteRange out of the file")
		}
		s.signed = append(append([]byte{}, data[s.br[0]:s.br[0]+s.br[1]]...), data[s.br[2]:s.br[2]+s.br[3]]...)
		s.contents = []byte(v.Key("Contents").RawString())
		out = append(out, s)
	}
	return out, nil
}

// checkCMS verifies a detached CMS signature over content and its timestamp.
func checkCMS(rep *Report, name string, sig, content []byte, o VerifyOptions) {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(sig, &rv); err == nil {
		sig = rv.FullBytes // drop the zero padding of /Contents
	}
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		rep.add(name, Fail, "Signatur nicht lesbar: %v", "signature unreadable: %v", err)
		return
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		rep.add(name, Fail, "Signatur ungültig – Inhalt nach dem Siegeln verändert (%v)", "signature invalid – content changed after sealing (%v)", err)
		return
	}
	signer := p7.GetOnlySigner()
	subj := "?"
	if signer != nil {
		subj = signer.Subject.String()
	}
	if o.Trust != nil && signer != nil {
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		if _, err := signer.Verify(x509.VerifyOptions{Roots: o.Trust, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: signer.NotBefore.Add(signer.NotAfter.Sub(signer.NotBefore) / 2)}); err != nil {
			rep.add(name, Fail, "Signatur mathematisch gültig, aber Zertifikat %s nicht vertrauenswürdig: %v", "signature valid, but certificate %s not trusted: %v", subj, err)
			return
		}
		rep.add(name, OK, "Siegel gültig, Zertifikat %s vertrauenswürdig", "seal valid, certificate %s trusted", subj)
	} else {
		rep.add(name, OK, "Siegel gültig (%s; Vertrauenskette nicht geprüft)", "seal valid (%s; trust chain not checked)", subj)
	}
	for _, si := range p7.Signers {
		for _, a := range si.UnauthenticatedAttributes {
			if !a.Type.Equal(oidSignatureTimestamp) {
				continue
			}
			if err := CheckToken(a.Value.Bytes, si.EncryptedDigest); err != nil {
				rep.add(name+"-timestamp", Fail, "Zeitstempel ungültig: %v", "timestamp invalid: %v", err)
				continue
			}
			tok, _ := ParseToken(a.Value.Bytes)
			rep.add(name+"-timestamp", OK, "Zeitstempel gültig: %s (%s)", "timestamp valid: %s (%s)", tok.Time.UTC().Format("2006-01-02 15:04:05Z"), tok.TSA)
		}
	}
}

func verifyDetached(ctx context.Context, rep *Report, dir string, tvXML, pdfData []byte, o VerifyOptions) {
	if sig, err := os.ReadFile(filepath.Join(dir, DetachedSeal)); err == nil {
		if tvXML == nil {
			rep.add("seal-detached", Fail, "%s ohne %s", "%s without %s", DetachedSeal, FileName)
		} else {
			checkCMS(rep, "seal-detached", sig, tvXML, o)
		}
	}
	for _, x := range []struct {
		file, name string
		data       []byte
	}{{DetachedStamp, "timestamp-transfervermerk", tvXML}, {PDFStamp, "timestamp-pdf", pdfData}} {
		tok, err := os.ReadFile(filepath.Join(dir, x.file))
		if err != nil {
			continue
		}
		if err := CheckToken(tok, x.data); err != nil {
			rep.add(x.name, Fail, "Zeitstempel %s passt nicht: %v", "timestamp %s does not match: %v", x.file, err)
		} else {
			t, _ := ParseToken(tok)
			rep.add(x.name, OK, "Zeitstempel %s gültig: %s", "timestamp %s valid: %s", x.file, t.Time.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
}

func verifyMetadata(rep *Report, dir string, tv *Transfervermerk) {
	data, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil || tv == nil {
		return
	}
	var m struct {
		DocumentID string `json:"document_id"`
	}
	if json.Unmarshal(data, &m) != nil || m.DocumentID != tv.DocumentID {
		rep.add("metadata", Fail, "metadata.json gehört nicht zu Dokument %s", "metadata.json does not belong to document %s", tv.DocumentID)
		return
	}
	rep.add("metadata", OK, "metadata.json gehört zu Dokument %s", "metadata.json belongs to document %s", tv.DocumentID)
}

func verifyProofFile(rep *Report, dir string, pdfData, beside, embedded []byte, tv *Transfervermerk) {
	data, err := os.ReadFile(filepath.Join(dir, BatchSealName))
	if err != nil || tv == nil {
		return
	}
	var p Proof
	if json.Unmarshal(data, &p) != nil || p.DocumentID != tv.DocumentID {
		rep.add("batch-seal", Fail, "%s unlesbar oder für ein anderes Dokument", "%s unreadable or for another document", BatchSealName)
		return
	}
	tvData := embedded
	if tvData == nil {
		tvData = beside
	}
	pdfSHA := ""
	if pdfData != nil {
		pdfSHA = sha(pdfData)
	}
	leaf := LeafHash(BatchLeaf(p.DocumentID, pdfSHA, sha(tvData)))
	root, _ := hex.DecodeString(p.Root)
	if err := VerifyProof(leaf, p.Path, root); err != nil {
		rep.add("batch-seal", Fail, "Stapelsiegel: Dokument nicht im Hash-Baum enthalten (%v)", "batch seal: document not included in the hash tree (%v)", err)
		return
	}
	msg := "Stapelsiegel: Einschlussnachweis gültig"
	if p.Token != nil {
		if err := CheckToken(p.Token, []byte(p.Root)); err != nil {
			rep.add("batch-seal", Fail, "Stapelsiegel: Zeitstempel passt nicht zur Wurzel", "batch seal: timestamp does not match the root")
			return
		}
		msg += ", Zeitstempel gültig"
	}
	if p.Signature != nil {
		sub := &Report{}
		checkCMS(sub, "x", p.Signature, []byte(p.Root), VerifyOptions{})
		if !sub.OK() {
			rep.add("batch-seal", Fail, "Stapelsiegel: Signatur über die Wurzel ungültig", "batch seal: signature over the root invalid")
			return
		}
		msg += ", Signatur gültig"
	}
	rep.add("batch-seal", OK, msg, "batch seal: inclusion proof valid")
}

func verifyJournal(ctx context.Context, rep *Report, pdfData, beside, embedded []byte, o VerifyOptions) {
	entries, err := o.Journal(ctx)
	if err != nil {
		rep.add("journal", Fail, "Protokoll nicht lesbar: %v", "journal unreadable: %v", err)
		return
	}
	if o.ChainCheck != nil {
		n, err := o.ChainCheck(entries)
		if err != nil {
			rep.add("journal", Fail, "Hash-Kette des Protokolls gebrochen: %v", "journal hash chain broken: %v", err)
		} else {
			rep.add("journal", OK, "Hash-Kette des Protokolls intakt (%d Einträge)", "journal hash chain intact (%d entries)", n)
		}
	}
	if o.Records != nil {
		verifyJournalStamps(ctx, rep, entries, o)
	}
	if rep.DocumentID == "" {
		return
	}
	var rec *Record
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Action == "evidence" && e.DocumentID == rep.DocumentID {
			var r Record
			if json.Unmarshal([]byte(e.Detail), &r) == nil {
				rec = &r
			}
			break
		}
	}
	if rec == nil {
		rep.add("journal-evidence", Fail, "kein Beweis-Eintrag für Dokument %s im Protokoll", "no evidence entry for document %s in the journal", rep.DocumentID)
		return
	}
	var bad []string
	if pdfData != nil && rec.PDFSHA256 != "" && sha(pdfData) != rec.PDFSHA256 {
		bad = append(bad, PDFName)
	}
	tvData := embedded
	if tvData == nil {
		tvData = beside
	}
	if tvData != nil && sha(tvData) != rec.TVSHA256 {
		bad = append(bad, FileName)
	}
	if len(bad) > 0 {
		rep.add("journal-evidence", Fail, "Hash von %s weicht vom Protokoll ab", "hash of %s differs from the journal", strings.Join(bad, ", "))
		return
	}
	rep.add("journal-evidence", OK, "Hashes stimmen mit dem Protokolleintrag der Freigabe überein", "hashes match the journal entry of the approval")
}

// VerifyJournal checks only the journal of a data directory: the hash chain
// and every stored timestamp over a chain head (`poststelle verify
// --data-dir D` without files). name is what the report calls the journal.
func VerifyJournal(ctx context.Context, name string, o VerifyOptions) (*Report, error) {
	if o.Journal == nil {
		return nil, errors.New("verify journal: no journal given")
	}
	rep := &Report{Path: name}
	verifyJournal(ctx, rep, nil, nil, nil, o)
	return rep, nil
}

// verifyJournalStamps checks each stored timestamp over a journal head: an
// RFC 3161 token, signed (with the TSA certificate in it), whose imprint is
// the SHA-256 of the recorded head hash (its hex text, as stamped), for a
// journal entry that exists with exactly that hash. With o.Trust the TSA
// certificate must chain to it. Each broken stamp is a failed check named
// journal-stamp-<seq>; intact ones are summed up in journal-stamps.
func verifyJournalStamps(ctx context.Context, rep *Report, entries []mailroom.JournalEntry, o VerifyOptions) {
	stamps, err := o.Records.JournalStamps(ctx)
	if err != nil {
		rep.add("journal-stamps", Fail, "Zeitstempel des Protokolls nicht lesbar: %v", "journal timestamps unreadable: %v", err)
		return
	}
	if len(stamps) == 0 {
		rep.add("journal-stamps", Skip, "keine Zeitstempel über das Protokoll gespeichert (kein TSA konfiguriert?)",
			"no timestamps over the journal stored (no TSA configured?)")
		return
	}
	bySeq := make(map[int64]*mailroom.JournalEntry, len(entries))
	for i := range entries {
		bySeq[entries[i].Seq] = &entries[i]
	}
	good := 0
	var last *JournalStamp
	for i := range stamps {
		s := &stamps[i]
		name := fmt.Sprintf("journal-stamp-%d", s.Seq)
		when := s.Time.UTC().Format("2006-01-02 15:04:05Z")
		if se := checkJournalStamp(s, bySeq[s.Seq], o); se != nil {
			r := Check{Name: name, Status: Fail,
				DE: fmt.Sprintf("Zeitstempel über Protokolleintrag %d (gespeichert %s) ungültig: %s", s.Seq, when, se.de),
				EN: fmt.Sprintf("timestamp over journal entry %d (stored %s) invalid: %s", s.Seq, when, se.en)}
			rep.Checks = append(rep.Checks, r)
			continue
		}
		good++
		last = s
	}
	if good == 0 {
		return
	}
	trust := "Vertrauenskette nicht geprüft"
	trustEN := "trust chain not checked"
	if o.Trust != nil {
		trust, trustEN = "TSA vertrauenswürdig", "TSA trusted"
	}
	at := last.Time.UTC().Format("2006-01-02 15:04:05Z")
	rep.Checks = append(rep.Checks, Check{Name: "journal-stamps", Status: OK,
		DE: fmt.Sprintf("%d Zeitstempel über den Protokollkopf gültig, der neueste über Eintrag %d (%s; %s)", good, last.Seq, at, trust),
		EN: fmt.Sprintf("%d timestamps over the journal head valid, the newest over entry %d (%s; %s)", good, last.Seq, at, trustEN)})
}

// checkJournalStamp returns why one stamp is broken (German / English).
func checkJournalStamp(s *JournalStamp, e *mailroom.JournalEntry, o VerifyOptions) *stampError {
	if e == nil {
		return stampErr("Eintrag %d fehlt im Protokoll", "entry %d missing from the journal", s.Seq)
	}
	if e.Hash != s.Hash {
		return stampErr("gespeicherter Hash %.16s… ist nicht der Hash %.16s… des Eintrags", "stored hash %.16s… is not the entry's hash %.16s…",
			s.Hash, e.Hash)
	}
	p7, err := pkcs7.Parse(s.Token)
	if err != nil {
		return stampErr("Token nicht lesbar", "token unreadable: %v", err)
	}
	if len(p7.Certificates) == 0 {
		return stampErr("Token ohne TSA-Zertifikat, Signatur nicht prüfbar", "token without TSA certificate, signature not checkable")
	}
	if err := CheckToken(s.Token, []byte(s.Hash)); err != nil {
		return stampErr("Token passt nicht zum Hash oder Signatur ungültig", "token does not match the hash or signature invalid: %v", err)
	}
	if o.Trust != nil {
		signer := p7.GetOnlySigner()
		if signer == nil {
			return stampErr("Token ohne eindeutigen Unterzeichner", "token without a single signer")
		}
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		tok, _ := ParseToken(s.Token)
		at := signer.NotBefore
		if tok != nil && !tok.Time.IsZero() {
			at = tok.Time
		}
		if _, err := signer.Verify(x509.VerifyOptions{Roots: o.Trust, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, CurrentTime: at}); err != nil {
			return stampErr("TSA-Zertifikat %s nicht vertrauenswürdig: %v", "TSA certificate %s not trusted: %v",
				signer.Subject.String(), err)
		}
	}
	return nil
}

type stampError struct{ de, en string }

func stampErr(de, en string, args ...any) *stampError {
	return &stampError{fmt.Sprintf(de, args...), fmt.Sprintf(en, args...)}
}

// findRecord handles a document folder whose Transfervermerk names the
// original as the document of record (not document.pdf): the product is
// found by its SHA-256 among the folder's files (a DMS may have renamed it)
// and checked. ok is false when the folder holds a scan product PDF instead.
func findRecord(rep *Report, dir string) (data []byte, ok bool, err error) {
	tvData, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return nil, false, nil
	}
	tv, err := ParseTransfervermerk(tvData)
	if err != nil || tv.Dokument.Scanprodukt == nil || tv.Dokument.Scanprodukt.Name == PDFName {
		return nil, false, nil
	}
	p := tv.Dokument.Scanprodukt
	// A folder target names the delivered document in its index.json: check
	// exactly that file.
	var idx struct {
		Filename string `json:"filename"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "index.json")); err == nil && json.Unmarshal(b, &idx) == nil &&
		idx.Filename != "" && filepath.Base(idx.Filename) == idx.Filename {
		b, err := os.ReadFile(filepath.Join(dir, idx.Filename))
		if err == nil && sha(b) == p.SHA256 {
			rep.add("document-hash", OK, "Original (Dokument der Aufzeichnung) %s unverändert (SHA-256 %s…)",
				"original (document of record) %s unchanged (SHA-256 %s…)", idx.Filename, p.SHA256[:16])
			return b, true, nil
		}
		rep.add("document-hash", Fail, "Original %s (Dokument der Aufzeichnung) fehlt oder ist verändert (SHA-256 laut Transfervermerk %s…)",
			"original %s (document of record) missing or changed (SHA-256 per Transfervermerk %s…)", idx.Filename, p.SHA256[:16])
		return []byte{}, true, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != p.Groesse {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, false, err
		}
		if sha(b) == p.SHA256 {
			rep.add("document-hash", OK, "Original (Dokument der Aufzeichnung) %s unverändert (SHA-256 %s…)",
				"original (document of record) %s unchanged (SHA-256 %s…)", e.Name(), p.SHA256[:16])
			return b, true, nil
		}
	}
	rep.add("document-hash", Fail, "Original %s (Dokument der Aufzeichnung) fehlt oder ist verändert: keine Datei mit SHA-256 %s…",
		"original %s (document of record) missing or changed: no file with SHA-256 %s…", p.Name, p.SHA256[:16])
	return []byte{}, true, nil
}
