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

// JournalStamper timestamps the journal's chain head (the hex text of the
// newest entry's hash) with an RFC 3161 TSA and stores the token, so that
// Verify can show the journal existed in that state at that time. As a
// mailroom.Runner it stamps at once and then every Interval, but only when
// the head moved since the last stamp. A failed stamp is logged, journaled
// (actor evidence, action error, step journal-timestamp) and tried again at
// the next interval; Run returns nil when ctx ends.
type JournalStamper struct {
	Journal  JournalLog
	Records  StampRecords
	TSA      *TSAClient
	Interval time.Duration // must be positive (evidence.journal_timestamp_interval)
	Log      *slog.Logger  // nil: slog.Default()
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

// Stamp timestamps the current chain head unless the last stamp is over it
// already. An empty journal needs no stamp.
func (s *JournalStamper) Stamp(ctx context.Context) error {
	head, err := s.Journal.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if err != nil || len(head) == 0 {
		return err
	}
	stamps, err := s.Records.JournalStamps(ctx)
	if err != nil {
		return err
	}
	if n := len(stamps); n > 0 && stamps[n-1].Seq == head[0].Seq {
		return nil
	}
	tok, err := s.TSA.Stamp(ctx, []byte(head[0].Hash))
	if err != nil {
		return err
	}
	return s.Records.PutJournalStamp(ctx, JournalStamp{Seq: head[0].Seq, Hash: head[0].Hash, Token: tok.DER, Time: tok.Time})
}
