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
)

// File names in out/<document-id>/ besides document.pdf and transfervermerk.xml.
const (
	PDFName       = "document.pdf"
	DetachedSeal  = "transfervermerk.xml.p7s" // detached CMS over transfervermerk.xml (no PDF to seal)
	DetachedStamp = "transfervermerk.xml.tsr" // RFC 3161 token over transfervermerk.xml (TSA, no seal)
	PDFStamp      = "document.pdf.tsr"        // RFC 3161 token over document.pdf (TSA, no seal)
	BatchSealName = "batchseal.json"          // the batch seal with this document's inclusion proof
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

// Finish implements mailroom.Finisher.
func (f *Finisher) Finish(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, a mailroom.Approval) error {
	prot := d.Protection
	if prot == "" {
		prot = mailroom.ProtectionNormal
	}
	if err := f.required(prot); err != nil {
		return err
	}
	dir := filepath.Join(f.Store.DataDir(), "out", d.ID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	now := f.now()
	rate := 0.0
	if f.Config != nil {
		rate = f.Config.Evidence.QASampleRate
	}
	rec := Record{DocumentID: d.ID, BatchID: d.BatchID, Seal: "none", Level: LevelNone, Time: now,
		Sampled: prot == mailroom.ProtectionNormal && Sampled(d.ID, rate)}
	in := Input{Doc: d, Batch: b, Approval: a, Config: f.Config, Version: f.Version, Scanner: ScannedBy(d, b),
		Sampled: rec.Sampled, Now: now}
	in.Sealed = TVIntegritaet{Siegel: "keines", Niveau: LevelNone, Zeitstempel: "keiner", Massnahme: measure(prot)}
	if f.TSA != nil {
		in.Sealed.Zeitstempel = f.TSA.URL
		rec.Timestamp = true
	}

	pdfPath := filepath.Join(dir, PDFName)
	productName, productType := PDFName, mailroom.MediaPDF
	base, err := os.ReadFile(pdfPath)
	havePDF := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	isRecord := false
	if rf := d.Metadata[mailroom.MetaRecordFile]; !havePDF && rf != "" && filepath.Base(rf) == rf {
		// The original is the document of record (signed PDF, e-invoice,
		// mail): it is the product the Transfervermerk binds; it is never
		// changed, so the seal is detached.
		base, err = os.ReadFile(filepath.Join(dir, rf))
		if err != nil {
			return fmt.Errorf("document of record %s: %w", rf, err)
		}
		havePDF, isRecord = true, true
		productName, productType = rf, b.MediaType
	}
	modify := havePDF && !isRecord && !d.HasFlag(mailroom.FlagSigned) && !d.HasFlag(mailroom.FlagEInvoice)
	if havePDF {
		if old, err := f.Records.Evidence(ctx, d.ID); err != nil {
			return err
		} else if old != nil && old.BaseSize > 0 && old.BaseSize <= int64(len(base)) && sha(base[:old.BaseSize]) == old.BaseSHA256 {
			base = base[:old.BaseSize] // evidence of an earlier attempt: start again from the scan product
		}
		rec.BaseSHA256, rec.BaseSize = sha(base), int64(len(base))
		in.Product = &TVDatei{Name: productName, SHA256: rec.BaseSHA256, Groesse: rec.BaseSize, Medientyp: productType}
		if err := f.Records.PutEvidence(ctx, rec); err != nil { // base recorded before the file changes
			return err
		}
	}
	if f.Sealer != nil {
		in.Sealed.Niveau, in.Sealed.Zertifikat = f.Sealer.Level(), f.Sealer.Subject()
		in.Sealed.Siegel = "CAdES (abgesetzt, transfervermerk.xml.p7s)"
		if modify {
			in.Sealed.Siegel = "PAdES (PAdES-Basic, document.pdf)"
		}
	}
	tv := Build(in)
	tvXML, err := tv.Marshal()
	if err != nil {
		return err
	}
	rec.TVSHA256 = sha(tvXML)
	var extra = map[string][]byte{}
	final := base
	switch {
	case modify:
		final, err = Embed(base, tvXML, summaryOf(tv), now)
		if err != nil {
			return mailroom.Permanent(fmt.Errorf("Transfervermerk einbetten / embedding the Transfervermerk: %w", err))
		}
		if f.Sealer != nil {
			final, err = f.Sealer.SealPDF(ctx, final, "Transfervermerk "+d.ID+" (TR-RESISCAN)", f.TSA)
			if err != nil {
				return err
			}
			rec.Seal, rec.Level = "pades", f.Sealer.Level()
		} else if f.TSA != nil {
			tok, err := f.TSA.Stamp(ctx, final)
			if err != nil {
				return err
			}
			extra[PDFStamp] = tok.DER
		}
	case f.Sealer != nil:
		sig, err := f.Sealer.SealDetached(ctx, tvXML, f.TSA)
		if err != nil {
			return err
		}
		extra[DetachedSeal] = sig
		rec.Seal, rec.Level = "cades", f.Sealer.Level()
	case f.TSA != nil:
		tok, err := f.TSA.Stamp(ctx, tvXML)
		if err != nil {
			return err
		}
		extra[DetachedStamp] = tok.DER
	}
	for _, n := range []string{PDFStamp, DetachedSeal, DetachedStamp} {
		if _, ok := extra[n]; !ok {
			os.Remove(filepath.Join(dir, n)) // from an earlier attempt with another configuration
		}
	}
	for n, data := range extra {
		if err := mailroom.WriteFileAtomic(filepath.Join(dir, n), data, 0o640); err != nil {
			return err
		}
	}
	if err := mailroom.WriteFileAtomic(filepath.Join(dir, FileName), tvXML, 0o640); err != nil {
		return err
	}
	if havePDF && modify {
		if err := mailroom.WriteFileAtomic(pdfPath, final, 0o640); err != nil {
			return err
		}
	}
	if havePDF {
		rec.PDFSHA256 = sha(final)
	}
	rec.Done = true
	if err := f.Records.PutEvidence(ctx, rec); err != nil {
		return err
	}
	if _, err := f.Store.Append(ctx, "evidence", "evidence", d.ID, d.BatchID, rec); err != nil {
		return err
	}
	return f.batchSeal(ctx, d)
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
		dir := filepath.Join(f.Store.DataDir(), "out", id)
		if _, err := os.Stat(dir); err != nil {
			continue // already delivered and cleaned up: the proof stays in the store
		}
		data, _ := json.MarshalIndent(DocumentProof(&s, id), "", "  ")
		if err := mailroom.WriteFileAtomic(filepath.Join(dir, BatchSealName), data, 0o640); err != nil {
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
