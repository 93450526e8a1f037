package evidence

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	rep := &Report{Path: path}
	m, err := locate(rep, path)
	if err != nil {
		return nil, err
	}
	// The beside copy belongs to this PDF only when its id matches (checked
	// in verifyBeside).
	beside, besideErr := os.ReadFile(filepath.Join(m.dir, FileName))
	var tv *Transfervermerk
	var embedded []byte
	if m.pdf != nil {
		embedded, tv = verifyEmbedded(rep, m.pdf)
	}
	if besideErr == nil {
		tv = verifyBeside(rep, beside, embedded, tv)
	} else if m.pdf == nil && m.record == nil {
		return nil, mailroom.BadInput("weder PDF noch Transfervermerk gefunden", "neither a PDF nor a Transfervermerk found", nil)
	}
	if tv != nil {
		rep.DocumentID = tv.DocumentID
	}
	if m.pdf != nil {
		verifyPDF(rep, m.pdf, tv, o)
	}
	product := m.pdf
	if m.record != nil {
		product = m.record
	}
	verifyDetached(ctx, rep, m.dir, beside, m.pdf, o)
	verifyMetadata(rep, m.dir, tv)
	verifyProofFile(rep, m.dir, product, beside, embedded, tv)
	if o.Journal != nil {
		verifyJournal(ctx, rep, product, beside, embedded, o)
	} else {
		rep.add("journal", Skip, "Protokoll nicht erreichbar (--data-dir angeben)", "journal not reachable (give --data-dir)")
	}
	return rep, nil
}

// material is what Verify found to check.
type material struct {
	dir    string // the document folder (or the PDF's folder)
	pdf    []byte // the scan product PDF, nil if none
	record []byte // the original as document of record, when the Transfervermerk names one
}

// locate finds the material of path: a PDF file, or a document folder
// with the scan product (document.pdf, else its only PDF) or the original
// as document of record.
func locate(rep *Report, path string) (material, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return material{}, err
	}
	m := material{dir: path}
	pdfPath := ""
	if fi.IsDir() {
		var ok bool
		if m.record, ok, err = findRecord(rep, m.dir); err != nil {
			return material{}, err
		}
		if ok {
			// the rendition beside it is not the product: no PDF checks
		} else if _, err := os.Stat(filepath.Join(m.dir, PDFName)); err == nil {
			pdfPath = filepath.Join(m.dir, PDFName)
		} else if g, _ := filepath.Glob(filepath.Join(m.dir, "*.pdf")); len(g) == 1 {
			pdfPath = g[0]
		}
	} else {
		m.dir, pdfPath = filepath.Dir(path), path
	}
	if pdfPath != "" {
		if m.pdf, err = os.ReadFile(pdfPath); err != nil {
			return material{}, err
		}
	}
	return m, nil
}

// verifyEmbedded checks the Transfervermerk embedded in the PDF and
// returns it (nil if none) and, when it is readable and linked as
// associated file, its parsed form.
func verifyEmbedded(rep *Report, pdfData []byte) ([]byte, *Transfervermerk) {
	emb, inAF, err := Embedded(pdfData)
	switch {
	case err != nil:
		rep.add("pdf", Fail, "PDF nicht lesbar: %v", "PDF unreadable: %v", err)
		return nil, nil
	case emb == nil:
		rep.add("transfervermerk-embedded", Warn, "kein Transfervermerk im PDF eingebettet", "no Transfervermerk embedded in the PDF")
		return nil, nil
	}
	t, perr := ParseTransfervermerk(emb)
	switch {
	case perr != nil:
		rep.add("transfervermerk-embedded", Fail, "eingebetteter Transfervermerk unlesbar: %v", "embedded Transfervermerk unreadable: %v", perr)
	case !inAF:
		rep.add("transfervermerk-embedded", Fail, "Transfervermerk eingebettet, aber nicht als zugehörige Datei (/AF) verknüpft",
			"Transfervermerk embedded but not linked as associated file (/AF)")
	default:
		rep.add("transfervermerk-embedded", OK, "Transfervermerk eingebettet (/AF), Dokument %s", "Transfervermerk embedded (/AF), document %s", t.DocumentID)
		return emb, t
	}
	return emb, nil
}

// verifyBeside checks the Transfervermerk beside the PDF against the
// embedded one and returns the Transfervermerk to go on with.
func verifyBeside(rep *Report, beside, embedded []byte, tv *Transfervermerk) *Transfervermerk {
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
	return tv
}

func verifyMetadata(rep *Report, dir string, tv *Transfervermerk) {
	data, err := os.ReadFile(filepath.Join(dir, mailroom.FileMetadata))
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
