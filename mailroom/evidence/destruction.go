package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom"
)

// DestructionRow is one batch (one stack of paper) on the destruction-release list.
type DestructionRow struct {
	BatchID     string    `json:"batch_id"`
	Filename    string    `json:"filename"`
	Source      string    `json:"source"`
	Department  string    `json:"department"`
	ReceivedAt  time.Time `json:"received_at"`
	Documents   int       `json:"documents"`
	Pages       int       `json:"pages"`
	ExportedAt  time.Time `json:"exported_at,omitempty"`
	DestroyFrom time.Time `json:"destroy_from,omitempty"` // export + retention
	ReleasedBy  string    `json:"released_by,omitempty"`
	ReleasedAt  time.Time `json:"released_at,omitempty"`
	May         bool      `json:"may_destroy"`
	Reasons     []string  `json:"reasons,omitempty"` // why not yet (German / English)
}

// DestructionStore is what the destruction list reads.
type DestructionStore interface {
	Documents(ctx context.Context, f mailroom.DocFilter) ([]*mailroom.Document, error)
	Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error)
}

// Destruction decides for one batch whether its paper originals may be
// destroyed: every document done (exported or rejected, at least one
// exported), QA done as the protection level requires (a passed QA where it
// was required), the retention period since the last export passed, and a
// department's release recorded.
func Destruction(ctx context.Context, st DestructionStore, rec Records, b *mailroom.Batch, retentionDays int, sampleRate float64, now time.Time) (DestructionRow, error) {
	row := DestructionRow{BatchID: b.ID, Filename: b.Filename, Source: b.Source, ReceivedAt: b.ReceivedAt, Pages: b.PageCount}
	docs, err := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if err != nil {
		return row, err
	}
	why := func(de, en string, a ...any) {
		row.Reasons = append(row.Reasons, fmt.Sprintf(de, a...)+" / "+fmt.Sprintf(en, a...))
	}
	exported := 0
	for _, d := range docs {
		if d.HasFlag(mailroom.FlagSeparatorOnly) && len(d.Pages) == 0 {
			continue
		}
		row.Documents++
		if row.Department == "" {
			row.Department = d.Metadata["department"]
		}
		switch d.State {
		case mailroom.StateRejected:
			continue
		case mailroom.StateExported:
			exported++
		default:
			why("Dokument %d ist %s, nicht exportiert", "document %d is %s, not exported", d.Seq, d.State)
			continue
		}
		qa := mailroom.QAOf(d)
		need := d.Protection == mailroom.ProtectionHoch || d.Protection == mailroom.ProtectionSehrHoch ||
			((d.Protection == mailroom.ProtectionNormal || d.Protection == "") && Sampled(d.ID, sampleRate))
		if need && !qa.Passed() {
			why("Dokument %d: vorgeschriebene Qualitätsprüfung fehlt", "document %d: required quality check missing", d.Seq)
		}
		j, err := st.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID})
		if err != nil {
			return row, err
		}
		for _, e := range j {
			var det struct {
				To mailroom.State `json:"to"`
			}
			if json.Unmarshal([]byte(e.Detail), &det) == nil && det.To == mailroom.StateExported && e.Time.After(row.ExportedAt) {
				row.ExportedAt = e.Time
			}
		}
	}
	if exported == 0 {
		why("kein Dokument exportiert", "no document exported")
	}
	if !row.ExportedAt.IsZero() {
		row.DestroyFrom = row.ExportedAt.AddDate(0, 0, retentionDays)
		if now.Before(row.DestroyFrom) {
			why("Aufbewahrungsfrist läuft bis %s", "retention period runs until %s", row.DestroyFrom.Format("2006-01-02"))
		}
	}
	rels, err := rec.Releases(ctx, b.ID)
	if err != nil {
		return row, err
	}
	if len(rels) == 0 {
		why("Freigabe des Fachbereichs fehlt", "department's release missing")
	} else {
		last := rels[len(rels)-1]
		row.ReleasedBy, row.ReleasedAt = strings.TrimSpace(last.Person+" ("+last.Department+")"), last.Time
	}
	row.May = len(row.Reasons) == 0
	return row, nil
}
