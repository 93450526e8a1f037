package evidence

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"poststelle/mailroom"
)

// JournalLog is the journal as the evidence runners read and extend it.
// Implemented by mailroom/store.
type JournalLog interface {
	Append(ctx context.Context, actor, action, documentID, batchID string, detail any) (mailroom.JournalEntry, error)
	Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error)
}

// StampRecords keeps the timestamps over the journal's chain head.
// Implemented by mailroom/store.
type StampRecords interface {
	PutJournalStamp(ctx context.Context, s JournalStamp) error
	JournalStamps(ctx context.Context) ([]JournalStamp, error) // oldest first
}

// JournalStamper makes checkpoints over the journal's chain head (see
// NewCheckpoint): each names the previous one, is timestamped by the TSA
// and/or sealed by the Sealer, stored, journaled (action
// ActionCheckpoint, which the next checkpoint then covers) and, with a
// CheckpointDir, written there as a file too (a second directory outside
// the data directory, e.g. a WORM share), so that Verify can show the
// journal existed in that state at that time and find a rewrite of it. As
// a mailroom.Runner it makes one at once and then every Interval, but only
// when the head moved since the last one. A failure is logged, journaled
// (actor evidence, action error, step journal-timestamp) and tried again at
// the next interval; Run returns nil when ctx ends.
type JournalStamper struct {
	Journal       JournalLog
	Records       StampRecords
	TSA           *TSAClient    // nil: checkpoints are sealed only
	Sealer        Sealer        // nil: checkpoints are timestamped only
	CheckpointDir string        // "" = no copies outside the data directory
	Interval      time.Duration // must be positive (evidence.journal_timestamp_interval)
	Log           *slog.Logger  // nil: slog.Default()
	Now           func() time.Time
}

var _ mailroom.Runner = (*JournalStamper)(nil)

// Name implements mailroom.Runner.
func (s *JournalStamper) Name() string { return "journal timestamps" }

// Run implements mailroom.Runner.
func (s *JournalStamper) Run(ctx context.Context) error {
	if s.Interval <= 0 {
		return errors.New("journal timestamps: the interval must be positive")
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	for {
		if err := s.Stamp(ctx); err != nil {
			log.Warn("journal timestamp failed", "err", err)
			s.Journal.Append(ctx, "evidence", "error", "", "", map[string]string{"step": "journal-timestamp", "error": err.Error()})
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.Interval):
		}
	}
}

// Stamp makes a checkpoint over the current chain head unless nothing but
// checkpoint entries were journaled since the last one. An empty journal
// needs none.
func (s *JournalStamper) Stamp(ctx context.Context) error {
	head, err := s.Journal.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if err != nil || len(head) == 0 {
		return err
	}
	stamps, err := s.Records.JournalStamps(ctx)
	if err != nil {
		return err
	}
	var last *JournalStamp
	if n := len(stamps); n > 0 {
		last = &stamps[n-1]
		moved, err := s.movedSince(ctx, last.Seq)
		if err != nil || !moved {
			return err
		}
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	cp, err := NewCheckpoint(ctx, head[0], last, s.TSA, s.Sealer, now)
	if err != nil {
		return err
	}
	if err := s.Records.PutJournalStamp(ctx, cp); err != nil {
		return err
	}
	if s.CheckpointDir != "" {
		if err := WriteCheckpointFile(s.CheckpointDir, cp); err != nil {
			return err
		}
	}
	_, err = s.Journal.Append(ctx, "evidence", ActionCheckpoint, "", "", map[string]any{"seq": cp.Seq, "hash": cp.Hash,
		"digest": cp.Digest(), "timestamp": cp.Token != nil, "sealed": cp.Seal != nil, "copied": s.CheckpointDir != ""})
	return err
}

// movedSince reports whether an entry other than a checkpoint's own was
// journaled after entry seq (the checkpoint over seq journals one entry,
// so two entries tell).
func (s *JournalStamper) movedSince(ctx context.Context, seq int64) (bool, error) {
	after, err := s.Journal.Journal(ctx, mailroom.JournalFilter{AfterSeq: seq, Limit: 2})
	if err != nil {
		return false, err
	}
	for _, e := range after {
		if e.Action != ActionCheckpoint {
			return true, nil
		}
	}
	return false, nil
}
