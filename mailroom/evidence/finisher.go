package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// Finisher makes the evidence of an approved document in out/<id>/: the
// Transfervermerk (beside the PDF and embedded in it), the seal as the last
// change to the PDF, timestamps, the journal entry with the hashes, and the
// batch seal once the batch's last document is approved. It is idempotent: a
// second call (after a crash) cuts the PDF back to the scan product recorded
// before and redoes the evidence.
type Finisher struct {
	Config  *mailroom.Config
	Store   mailroom.Store
	Records Records
	Sealer  Sealer     // nil: no seal
	TSA     *TSAClient // nil: no timestamps
	Version string
	Now     func() time.Time
}

var _ mailroom.Finisher = (*Finisher)(nil)

func (f *Finisher) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// required checks that the configured measures satisfy the protection level.
func (f *Finisher) required(p mailroom.Protection) error {
	switch p {
	case mailroom.ProtectionHoch:
		if f.Sealer == nil {
			return mailroom.Permanent(&Refusal{DE: "Schutzbedarf \"hoch\" verlangt ein Siegel (evidence.seal_p12)",
				EN: "protection \"hoch\" requires a seal (evidence.seal_p12)"})
		}
	case mailroom.ProtectionSehrHoch:
		if f.Sealer == nil || f.TSA == nil {
			return mailroom.Permanent(&Refusal{DE: "Schutzbedarf \"sehr hoch\" verlangt Siegel und Zeitstempel (evidence.seal_p12, evidence.tsa)",
				EN: "protection \"sehr hoch\" requires a seal and a timestamp (evidence.seal_p12, evidence.tsa)"})
		}
	}
	return nil
}

// finishing is one run of Finish: what it knows about the document and
// what it has built so far.
type finishing struct {
	d   *mailroom.Document
	b   *mailroom.Batch
	dir string
	now time.Time
	rec Record
	in  Input
	// base is the scan product (or document of record) the Transfervermerk
	// binds; havePDF reports whether there is one.
	base                     []byte
	havePDF, isRecord        bool
	modify                   bool // the product is our PDF: embed and seal in it
	productName, productType string
}

// Finish implements mailroom.Finisher.
func (f *Finisher) Finish(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, a mailroom.Approval) error {
	prot := d.Protection
	if prot == "" {
		prot = mailroom.ProtectionNormal
	}
	if err := f.required(prot); err != nil {
		return err
	}
	r := f.start(d, b, a, prot)
	if err := os.MkdirAll(r.dir, 0o750); err != nil {
		return err
	}
	if err := f.loadProduct(ctx, r); err != nil {
		return err
	}
	f.describeSeal(r)
	if err := f.anchorJournal(ctx, r); err != nil {
		return err
	}
	tv := Build(r.in)
	tvXML, err := tv.Marshal()
	if err != nil {
		return err
	}
	r.rec.TVSHA256 = sha(tvXML)
	final, extra, err := f.protect(ctx, r, tv, tvXML)
	if err != nil {
		return err
	}
	if err := r.write(final, tvXML, extra); err != nil {
		return err
	}
	if r.havePDF {
		r.rec.PDFSHA256 = sha(final)
	}
	r.rec.Done = true
	if err := f.Records.PutEvidence(ctx, r.rec); err != nil {
		return err
	}
	if _, err := f.Store.Append(ctx, "evidence", "evidence", d.ID, d.BatchID, r.rec); err != nil {
		return err
	}
	return f.batchSeal(ctx, d)
}

// start prepares the evidence record and the Transfervermerk's input.
func (f *Finisher) start(d *mailroom.Document, b *mailroom.Batch, a mailroom.Approval, prot mailroom.Protection) *finishing {
	now := f.now()
	rate := 0.0
	if f.Config != nil {
		rate = f.Config.Evidence.QASampleRate
	}
	r := &finishing{d: d, b: b, now: now, dir: mailroom.Layout{Root: f.Store.DataDir()}.Out(d.ID),
		productName: mailroom.FileDocument, productType: mailroom.MediaPDF}
	r.rec = Record{DocumentID: d.ID, BatchID: d.BatchID, Seal: "none", Level: LevelNone, Time: now,
		Sampled: prot == mailroom.ProtectionNormal && Sampled(d.ID, rate)}
	r.in = Input{Doc: d, Batch: b, Approval: a, Config: f.Config, Version: f.Version, Scanner: ScannedBy(d, b),
		Sampled: r.rec.Sampled, Now: now}
	r.in.Sealed = TVIntegritaet{Siegel: "keines", Niveau: LevelNone, Zeitstempel: "keiner", Massnahme: measure(prot)}
	if f.TSA != nil {
		r.in.Sealed.Zeitstempel = f.TSA.Name()
		r.rec.Timestamp = true
	}
	return r
}

// loadProduct reads the product the Transfervermerk binds: document.pdf, or
// the unchanged document of record. Evidence of an earlier attempt is cut
// off, and the base is recorded before the file changes.
func (f *Finisher) loadProduct(ctx context.Context, r *finishing) error {
	base, err := os.ReadFile(filepath.Join(r.dir, mailroom.FileDocument))
	r.havePDF = err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if rf := r.d.Metadata[mailroom.MetaRecordFile]; !r.havePDF && rf != "" && filepath.Base(rf) == rf {
		// The original is the document of record (signed PDF, e-invoice,
		// mail): it is the product the Transfervermerk binds; it is never
		// changed, so the seal is detached.
		base, err = os.ReadFile(filepath.Join(r.dir, rf))
		if err != nil {
			return fmt.Errorf("document of record %s: %w", rf, err)
		}
		r.havePDF, r.isRecord = true, true
		r.productName, r.productType = rf, r.b.MediaType
	}
	r.modify = r.havePDF && !r.isRecord && !r.d.HasFlag(mailroom.FlagSigned) && !r.d.HasFlag(mailroom.FlagEInvoice)
	if !r.havePDF {
		return nil
	}
	old, err := f.Records.Evidence(ctx, r.d.ID)
	if err != nil {
		return err
	}
	if old != nil && old.BaseSize > 0 && old.BaseSize <= int64(len(base)) && sha(base[:old.BaseSize]) == old.BaseSHA256 {
		base = base[:old.BaseSize] // evidence of an earlier attempt: start again from the scan product
	}
	r.base = base
	r.rec.BaseSHA256, r.rec.BaseSize = sha(base), int64(len(base))
	r.in.Product = &TVDatei{Name: r.productName, SHA256: r.rec.BaseSHA256, Groesse: r.rec.BaseSize, Medientyp: r.productType}
	return f.Records.PutEvidence(ctx, r.rec)
}

// describeSeal states in the Transfervermerk how the product will be
// sealed and where the Transfervermerk is kept.
func (f *Finisher) describeSeal(r *finishing) {
	if r.havePDF {
		r.in.Sealed.Einbettung = BesideOnly
		if r.modify {
			r.in.Sealed.Einbettung = EmbeddedInPDF
		}
	}
	if f.Sealer == nil {
		return
	}
	r.in.Sealed.Niveau, r.in.Sealed.Zertifikat = f.Sealer.Level(), f.Sealer.Subject()
	r.in.Sealed.Siegel = "CAdES (abgesetzt, transfervermerk.xml.p7s)"
	if r.modify {
		r.in.Sealed.Siegel = "PAdES (PAdES-Basic, document.pdf)"
	}
}

// protect embeds the Transfervermerk in our PDF and seals or stamps it, or
// seals or stamps the Transfervermerk detached. It returns the final product
// and the extra evidence files by name.
func (f *Finisher) protect(ctx context.Context, r *finishing, tv *Transfervermerk, tvXML []byte) ([]byte, map[string][]byte, error) {
	extra := map[string][]byte{}
	switch {
	case r.modify:
		final, err := Embed(r.base, tvXML, summaryOf(tv), r.now)
		if err != nil {
			return nil, nil, mailroom.Permanent(fmt.Errorf("Transfervermerk einbetten / embedding the Transfervermerk: %w", err))
		}
		if f.Sealer != nil {
			final, err = f.Sealer.SealPDF(ctx, final, "Transfervermerk "+r.d.ID+" (TR-RESISCAN)", f.TSA)
			if err != nil {
				return nil, nil, err
			}
			r.rec.Seal, r.rec.Level = "pades", f.Sealer.Level()
		} else if f.TSA != nil {
			tok, err := f.TSA.Stamp(ctx, final)
			if err != nil {
				return nil, nil, err
			}
			extra[mailroom.FileDocumentStamp] = tok.DER
		}
		return final, extra, nil
	case f.Sealer != nil:
		sig, err := f.Sealer.SealDetached(ctx, tvXML, f.TSA)
		if err != nil {
			return nil, nil, err
		}
		extra[mailroom.FileDetachedSeal] = sig
		r.rec.Seal, r.rec.Level = "cades", f.Sealer.Level()
	case f.TSA != nil:
		tok, err := f.TSA.Stamp(ctx, tvXML)
		if err != nil {
			return nil, nil, err
		}
		extra[mailroom.FileDetachedStamp] = tok.DER
	}
	return r.base, extra, nil
}

// write puts the evidence files and the final PDF into the document folder,
// each atomically, and removes evidence files of an earlier attempt made with
// another configuration.
func (r *finishing) write(final, tvXML []byte, extra map[string][]byte) error {
	for _, n := range []string{mailroom.FileDocumentStamp, mailroom.FileDetachedSeal, mailroom.FileDetachedStamp} {
		if _, ok := extra[n]; !ok {
			os.Remove(filepath.Join(r.dir, n))
		}
	}
	for n, data := range extra {
		if err := safefile.Write(filepath.Join(r.dir, n), data, 0o640); err != nil {
			return err
		}
	}
	if err := safefile.Write(filepath.Join(r.dir, FileName), tvXML, 0o640); err != nil {
		return err
	}
	if r.havePDF && r.modify {
		return safefile.Write(filepath.Join(r.dir, mailroom.FileDocument), final, 0o640)
	}
	return nil
}

// anchorJournal records the journal head in the Transfervermerk: the
// delivered document carries it into the DMS, where it anchors the
// journal outside the data directory.
func (f *Finisher) anchorJournal(ctx context.Context, r *finishing) error {
	head, err := f.Store.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if err != nil {
		return err
	}
	if len(head) == 1 {
		r.in.Journal = &TVProtokoll{Eintrag: head[0].Seq, Hash: head[0].Hash}
	}
	return nil
}

func measure(p mailroom.Protection) string {
	switch p {
	case mailroom.ProtectionHoch:
		return "hoch: Siegel über Scanprodukt und Transfervermerk, vollständige Sichtprüfung"
	case mailroom.ProtectionSehrHoch:
		return "sehr hoch: Siegel und Zeitstempel über Scanprodukt und Transfervermerk, vollständige Sichtprüfung, Vier-Augen-Prinzip"
	}
	return "normal: Siegel soweit konfiguriert, Hash-Kette im Protokoll, Stichproben-QS"
}

// batchSeal seals the batch over a Merkle tree once none of its documents is
// still before approval (d itself is being approved now).
func (f *Finisher) batchSeal(ctx context.Context, d *mailroom.Document) error {
	docs, err := f.Store.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID})
	if err != nil {
		return err
	}
	var ids []string
	for _, x := range docs {
		if x.ID == d.ID {
			ids = append(ids, x.ID)
			continue
		}
		switch x.State {
		case mailroom.StateApproved, mailroom.StateExporting, mailroom.StateExported:
			ids = append(ids, x.ID)
		case mailroom.StateRejected:
		default:
			return nil // not complete yet
		}
	}
	s := BatchSeal{BatchID: d.BatchID, Leaves: map[string]string{}, Proofs: map[string][]ProofStep{}, Time: f.now()}
	var leaves [][]byte
	for _, id := range ids {
		r, err := f.Records.Evidence(ctx, id)
		if err != nil {
			return err
		}
		if r == nil || !r.Done {
			continue // approved without evidence (before evidence was configured)
		}
		l := LeafHash(BatchLeaf(id, r.PDFSHA256, r.TVSHA256))
		leaves = append(leaves, l)
		s.Documents = append(s.Documents, id)
		s.Leaves[id] = hex.EncodeToString(l)
	}
	if len(leaves) == 0 {
		return nil
	}
	root := MerkleRoot(leaves)
	s.Root = hex.EncodeToString(root)
	for i, id := range s.Documents {
		s.Proofs[id] = MerkleProof(leaves, i)
	}
	if f.Sealer != nil {
		if s.Signature, err = f.Sealer.SealDetached(ctx, []byte(s.Root), nil); err != nil {
			return err
		}
	}
	if f.TSA != nil {
		tok, err := f.TSA.Stamp(ctx, []byte(s.Root))
		if err != nil {
			return err
		}
		s.Token = tok.DER
	}
	if err := f.Records.PutBatchSeal(ctx, s); err != nil {
		return err
	}
	if _, err := f.Store.Append(ctx, "evidence", "batch-seal", "", d.BatchID,
		map[string]any{"root": s.Root, "documents": s.Documents, "sealed": s.Signature != nil, "timestamp": s.Token != nil}); err != nil {
		return err
	}
	for _, id := range s.Documents {
		dir := mailroom.Layout{Root: f.Store.DataDir()}.Out(id)
		if _, err := os.Stat(dir); err != nil {
			continue // already delivered and cleaned up: the proof stays in the store
		}
		data, _ := json.MarshalIndent(DocumentProof(&s, id), "", "  ")
		if err := safefile.Write(filepath.Join(dir, mailroom.FileBatchSeal), data, 0o640); err != nil {
			return err
		}
	}
	return nil
}

// Proof is one document's part of a batch seal (batchseal.json).
type Proof struct {
	BatchID    string      `json:"batch_id"`
	DocumentID string      `json:"document_id"`
	Leaf       string      `json:"leaf"`
	Path       []ProofStep `json:"proof"`
	Root       string      `json:"root"`
	Signature  []byte      `json:"root_signature,omitempty"` // detached CMS over the root's hex text
	Token      []byte      `json:"root_timestamp,omitempty"` // RFC 3161 token over the root's hex text
}

// DocumentProof extracts the proof of one document from a batch seal.
func DocumentProof(s *BatchSeal, docID string) Proof {
	return Proof{BatchID: s.BatchID, DocumentID: docID, Leaf: s.Leaves[docID], Path: s.Proofs[docID], Root: s.Root,
		Signature: s.Signature, Token: s.Token}
}
