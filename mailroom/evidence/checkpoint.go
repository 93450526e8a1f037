package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// ActionCheckpoint is the journal action recording a checkpoint made over
// the journal head (detail: seq, hash, digest of the checkpoint's data):
// the next checkpoint covers it, and Verify finds a checkpoint deleted from
// the store by its entry.
const ActionCheckpoint = "journal-checkpoint"

// checkpointMagic starts a checkpoint's data; noPrev is the predecessor of
// the first checkpoint.
const (
	checkpointMagic = "poststelle-journal-checkpoint:1"
	noPrev          = "-"
)

// CheckpointData is the text a checkpoint timestamps and seals: the
// journal entry (sequence number and hash) it anchors, the SHA-256 of the
// previous checkpoint's data (noPrev for the first) and the time.
func CheckpointData(seq int64, hash, prev string, at time.Time) []byte {
	return []byte(fmt.Sprintf("%s\nseq %d\nhash %s\nprev %s\ntime %s\n", checkpointMagic, seq, hash, prev, at.UTC().Format(time.RFC3339)))
}

// checkpointText is parsed checkpoint data.
type checkpointText struct {
	seq        int64
	hash, prev string
	time       time.Time
}

func parseCheckpointData(b []byte) (checkpointText, error) {
	var c checkpointText
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 5 || lines[0] != checkpointMagic {
		return c, errors.New("not checkpoint data")
	}
	val := func(i int, key string) (string, error) {
		v, ok := strings.CutPrefix(lines[i], key+" ")
		if !ok || v == "" {
			return "", fmt.Errorf("checkpoint data: line %d is not %q", i+1, key)
		}
		return v, nil
	}
	var err error
	var s, at string
	if s, err = val(1, "seq"); err == nil {
		c.seq, err = strconv.ParseInt(s, 10, 64)
	}
	if err == nil {
		c.hash, err = val(2, "hash")
	}
	if err == nil {
		c.prev, err = val(3, "prev")
	}
	if err == nil {
		at, err = val(4, "time")
	}
	if err == nil {
		c.time, err = time.Parse(time.RFC3339, at)
	}
	return c, err
}

// data is what the stamp's token and seal cover: its checkpoint data, or
// for a stamp from before checkpoints the hex text of the head hash.
func (s *JournalStamp) data() []byte {
	if s.Data != nil {
		return s.Data
	}
	return []byte(s.Hash)
}

// Digest is the SHA-256 (hex) of the stamp's data: the next checkpoint's Prev.
func (s *JournalStamp) Digest() string { return sha(s.data()) }

// NewCheckpoint makes a checkpoint over head that follows prev (nil for the
// first): its data timestamped by tsa and sealed by sealer (either may be
// nil, not both).
func NewCheckpoint(ctx context.Context, head mailroom.JournalEntry, prev *JournalStamp, tsa *TSAClient, sealer Sealer, now time.Time) (JournalStamp, error) {
	if tsa == nil && sealer == nil {
		return JournalStamp{}, errors.New("checkpoint: neither a TSA nor a seal configured")
	}
	p := noPrev
	if prev != nil {
		p = prev.Digest()
	}
	s := JournalStamp{Seq: head.Seq, Hash: head.Hash, Prev: p, Time: now.UTC()}
	s.Data = CheckpointData(head.Seq, head.Hash, p, s.Time)
	if tsa != nil {
		tok, err := tsa.Stamp(ctx, s.Data)
		if err != nil {
			return JournalStamp{}, err
		}
		s.Token, s.Time = tok.DER, tok.Time
	}
	if sealer != nil {
		sig, err := sealer.SealDetached(ctx, s.Data, nil)
		if err != nil {
			return JournalStamp{}, fmt.Errorf("checkpoint seal: %w", err)
		}
		s.Seal = sig
	}
	return s, nil
}

// maxCheckpointFile bounds one checkpoint file; maxCheckpointFiles the
// files read from a checkpoint directory.
const (
	maxCheckpointFile  = 1 << 20
	maxCheckpointFiles = 1 << 20
)

// CheckpointFileName is the name of the checkpoint over entry seq in a
// checkpoint directory.
func CheckpointFileName(seq int64) string { return fmt.Sprintf("journal-%012d.json", seq) }

// WriteCheckpointFile writes s to dir (evidence.checkpoint_dir, e.g. a WORM
// share) as a new file, synced. The file is never overwritten: when it
// exists with the same content that is success, with other content an error.
func WriteCheckpointFile(dir string, s JournalStamp) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	p := filepath.Join(dir, CheckpointFileName(s.Seq))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, os.ErrExist) {
		old, rerr := readLimited(p, maxCheckpointFile)
		if rerr == nil && bytes.Equal(old, data) {
			return nil
		}
		return fmt.Errorf("checkpoint %s exists with other content", p)
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("checkpoint %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("checkpoint %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("checkpoint %s: %w", p, err)
	}
	return safefile.SyncDir(dir)
}

// checkpointFile is a checkpoint read from a checkpoint directory.
type checkpointFile struct {
	name  string
	stamp JournalStamp
	err   error
}

// readCheckpointFiles reads the checkpoint files of dir in sequence order.
func readCheckpointFiles(dir string) ([]checkpointFile, error) {
	names, err := filepath.Glob(filepath.Join(dir, "journal-*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	if len(names) > maxCheckpointFiles {
		return nil, fmt.Errorf("%s: more than %d checkpoint files", dir, maxCheckpointFiles)
	}
	sort.Strings(names)
	out := make([]checkpointFile, 0, len(names))
	for _, n := range names {
		cf := checkpointFile{name: filepath.Base(n)}
		data, err := readLimited(n, maxCheckpointFile)
		if err == nil {
			err = json.Unmarshal(data, &cf.stamp)
		}
		cf.err = err
		out = append(out, cf)
	}
	return out, nil
}
