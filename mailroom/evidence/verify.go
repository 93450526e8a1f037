package evidence

import (
	"context"
	"crypto/x509"
	"errors"

	"poststelle/mailroom"
)

// VerifyOptions are what Verify may use besides the files.
type VerifyOptions struct {
	// Seal are the trust anchors of seals (document seals, detached seals
	// of the Transfervermerk); Trust is the same as a bare pool (used when
	// Seal is nil). Without them a seal is not verifiable.
	Seal  *Anchors
	Trust *x509.CertPool
	// TSA are the anchors of timestamp authorities, Batch those of batch
	// seals and sealed journal checkpoints; nil means the seal anchors.
	TSA, Batch *Anchors
	// Journal, if set, returns the complete journal; ChainCheck checks it
	// (store.VerifyEntries) and returns a *store.ChainError-like error.
	Journal    func(ctx context.Context) ([]mailroom.JournalEntry, error)
	ChainCheck func([]mailroom.JournalEntry) (int64, error)
	// Records, if set, gives the stored checkpoints (timestamps and seals
	// over journal heads), checked together with the journal.
	Records Records
	// CheckpointDir, if set, holds copies of the checkpoints outside the
	// data directory (evidence.checkpoint_dir): each is compared with the
	// journal and the stored checkpoints.
	CheckpointDir string
}

func (o VerifyOptions) anchors() (seal, tsa, batch *Anchors) {
	seal = o.Seal
	if seal == nil && o.Trust != nil {
		seal = &Anchors{Pool: o.Trust}
	}
	tsa, batch = o.TSA, o.Batch
	if tsa == nil {
		tsa = seal
	}
	if batch == nil {
		batch = seal
	}
	return seal, tsa, batch
}

// Verifier checks delivered material and the journal it belongs to. It
// reads the journal once and keeps the journal heads it finds anchored in
// the documents it checks, so that Journal, called last, reports which
// entries no anchor covers. Not safe for concurrent use.
type Verifier struct {
	opts             VerifyOptions
	seal, tsa, batch *Anchors
	view             *journalView
	docAnchors       []journalAnchor
}

// NewVerifier makes a verifier with options o.
func NewVerifier(o VerifyOptions) *Verifier {
	v := &Verifier{opts: o}
	v.seal, v.tsa, v.batch = o.anchors()
	return v
}

// Verify checks a delivered PDF, or a document folder (out/<id>/ or a
// folder target's copy), with a fresh Verifier.
func Verify(ctx context.Context, path string, o VerifyOptions) (*Report, error) {
	return NewVerifier(o).Document(ctx, path)
}

// VerifyJournal checks only the journal of a data directory: the hash
// chain, the stored checkpoints and those in o.CheckpointDir (`poststelle
// verify --data-dir D` without files). name is what the report calls the
// journal.
func VerifyJournal(ctx context.Context, name string, o VerifyOptions) (*Report, error) {
	return NewVerifier(o).Journal(ctx, name)
}

// Document checks the material at path: the Transfervermerk (embedded in
// our PDF and beside it), the product's hash, the XMP binding, the seal
// with its coverage and timestamp, detached seals and timestamps,
// metadata.json, the batch-seal proof and, with a journal, its chain, its
// checkpoints, the anchors the document carries and the hashes journaled at
// approval; then what the protection level recorded in the Transfervermerk
// requires. A path it cannot read is an error.
func (v *Verifier) Document(ctx context.Context, path string) (*Report, error) {
	rep := &Report{Path: path}
	m, err := locate(path)
	if err != nil {
		return nil, err
	}
	c := &docCheck{v: v, rep: rep, m: m}
	if c.transfervermerk() {
		c.product()
		c.xmp()
		c.pdfSeal()
		c.detached()
		c.metadata()
		c.batchProof()
		c.journal(ctx)
		c.requirements()
	}
	rep.finish()
	return rep, nil
}

// Journal checks the journal: its chain, its checkpoints (stored and in
// the checkpoint directory) and which entries no anchor covers, counting
// the anchors of the documents checked before.
func (v *Verifier) Journal(ctx context.Context, name string) (*Report, error) {
	if v.opts.Journal == nil {
		return nil, errors.New("verify journal: no journal given")
	}
	rep := &Report{Path: name}
	jv := v.journalView(ctx)
	jv.report(rep)
	v.reportAnchors(rep, jv)
	rep.finish()
	return rep, nil
}

// docCheck is one run of Document: what it found and what authenticates it.
type docCheck struct {
	v   *Verifier
	rep *Report
	m   material
	tv  *Transfervermerk
	// embedded and beside are the Transfervermerk in the PDF and beside
	// it; tvXML the one the evidence binds (embedded, else beside).
	embedded, beside, tvXML []byte
	// productData is what the Transfervermerk binds: our PDF, the
	// document of record, or the original; nil if it was not found.
	productData []byte
	ourPDF      bool // the product is our PDF (Transfervermerk embedded, PAdES)
	// what authenticates the material (set by the checks)
	sealed, sealedDetached, batchSigned, journaled bool
	stamped                                        bool
	evidenceSeq                                    int64
}
