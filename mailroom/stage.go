package mailroom

import (
	"context"
	"time"
)

// Stage is one automatic step of the pipeline. The dispatcher claims a
// document in state From (moving it to Working while a worker has it) and
// hands it to Process on a worker goroutine. Process must move the document
// on (through the store) or return an error. It is called again for the same
// document after a crash and must therefore be idempotent.
type Stage interface {
	Name() string
	From() State
	Working() State
	Process(ctx context.Context, d *Document) error
}

// DocumentMetadata is the metadata.json written beside each document's PDF.
type DocumentMetadata struct {
	Version      int               `json:"version"`
	DocumentID   string            `json:"document_id"`
	BatchID      string            `json:"batch_id"`
	Source       string            `json:"source"`
	Filename     string            `json:"filename"`
	SHA256       string            `json:"original_sha256"`
	Pages        []int             `json:"pages"`
	Metadata     map[string]string `json:"metadata"`
	Flags        []string          `json:"flags"`
	PageResults  []PageResult      `json:"page_results"`
	KeepOriginal bool              `json:"original_is_record,omitempty"`
	Written      time.Time         `json:"written"`
}
