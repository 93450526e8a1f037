package evidence

import (
	"context"
	"time"
)

// Record is the evidence of one document, kept in the store (003_evidence.sql).
type Record struct {
	DocumentID string    `json:"document_id"`
	BatchID    string    `json:"batch_id"`
	BaseSHA256 string    `json:"base_sha256"` // the scan product before evidence ("" without PDF)
	BaseSize   int64     `json:"base_size"`
	PDFSHA256  string    `json:"pdf_sha256"` // the delivered document.pdf ("" without PDF)
	TVSHA256   string    `json:"transfervermerk_sha256"`
	Seal       string    `json:"seal"`  // pades, cades, none
	Level      string    `json:"level"` // fortgeschritten, qualifiziert, keines
	Timestamp  bool      `json:"timestamp"`
	Sampled    bool      `json:"qa_sampled"`
	Done       bool      `json:"done"` // false while the files are being written
	Time       time.Time `json:"time"`
}

// Metadata keys of a delivery's sidecar: the journal head when the
// document was handed to the DMS, so the DMS holds an anchor of the journal
// (set by the outbox, checked by Verify).
const (
	MetaJournalSeq  = "journal_seq"
	MetaJournalHash = "journal_hash"
)

// BatchSeal is a seal over the Merkle root of a batch's documents.
type BatchSeal struct {
	BatchID   string                 `json:"batch_id"`
	Root      string                 `json:"root"` // hex
	Documents []string               `json:"documents"`
	Leaves    map[string]string      `json:"leaves"` // document id → leaf hash (hex)
	Proofs    map[string][]ProofStep `json:"proofs"`
	Signature []byte                 `json:"signature,omitempty"` // detached CMS over the root (hex bytes of it as data)
	Token     []byte                 `json:"timestamp,omitempty"` // RFC 3161 token over the root
	Time      time.Time              `json:"time"`
}

// Release is a department's release of a batch's paper originals for destruction.
type Release struct {
	BatchID    string    `json:"batch_id"`
	Department string    `json:"department"`
	Person     string    `json:"person"`
	Time       time.Time `json:"time"`
	Note       string    `json:"note,omitempty"`
}

// JournalStamp is a checkpoint over the journal's chain head (entry Seq
// with Hash): Data is its text (CheckpointData), which names the previous
// checkpoint by Prev, the SHA-256 of that one's Data; Token is an RFC 3161
// timestamp and Seal a detached CMS seal over Data (at least one of them).
// A stamp from before checkpoints has no Data: its Token covers the hex
// text of Hash and it names no predecessor.
type JournalStamp struct {
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	Token []byte    `json:"token,omitempty"`
	Time  time.Time `json:"time"`
	Data  []byte    `json:"data,omitempty"`
	Prev  string    `json:"prev,omitempty"`
	Seal  []byte    `json:"seal,omitempty"`
}

// Records is what evidence needs of the store beyond mailroom.Store.
// Implemented by mailroom/store.
type Records interface {
	PutEvidence(ctx context.Context, r Record) error
	Evidence(ctx context.Context, docID string) (*Record, error) // nil, nil when none
	PutBatchSeal(ctx context.Context, s BatchSeal) error
	BatchSeal(ctx context.Context, batchID string) (*BatchSeal, error) // nil, nil when none
	PutRelease(ctx context.Context, r Release) error
	Releases(ctx context.Context, batchID string) ([]Release, error)
	PutJournalStamp(ctx context.Context, s JournalStamp) error
	JournalStamps(ctx context.Context) ([]JournalStamp, error)
}
