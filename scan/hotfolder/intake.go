package hotfolder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// check takes every candidate that has been stable long enough.
func (h *HotFolder) check(ctx context.Context, accept func(context.Context, mailroom.Item) error) {
	now := time.Now()
	for p, c := range h.cands {
		if ctx.Err() != nil {
			return
		}
		fi, err := os.Lstat(p)
		if err != nil {
			delete(h.cands, p)
			continue
		}
		if !fi.Mode().IsRegular() { // replaced by a link or FIFO meanwhile
			delete(h.cands, p)
			h.notRegular(p, fi.Mode())
			continue
		}
		if c.size != fi.Size() || !c.mtime.Equal(fi.ModTime()) {
			c.size, c.mtime, c.stableAt = fi.Size(), fi.ModTime(), now
			continue
		}
		if now.Sub(c.stableAt) < h.StableDelay || now.Before(c.nextTry) {
			continue
		}
		if err := canOpen(p); err != nil {
			if errors.Is(err, safefile.ErrLink) || errors.Is(err, safefile.ErrNotRegular) {
				delete(h.cands, p)
				h.notRegular(p, 0)
				continue
			}
			if !c.announced {
				h.log().Info("file not readable yet; waiting", "file", p, "err", err)
				c.announced = true
			}
			c.nextTry = now.Add(h.StableDelay)
			continue
		}
		err = h.take(ctx, p, accept)
		if ie, bad := mailroom.AsInputError(err); bad {
			// Refused by intake (too large, …): not stored, never retried.
			delete(h.cands, p)
			h.quarantine(p, ie.DE, ie.EN)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.failures++
			backoff := time.Duration(1<<min(c.failures, 8)) * time.Second
			c.nextTry = now.Add(backoff)
			h.log().Error("intake failed; file kept, will retry", "file", p, "err", err, "retry_in", backoff)
			continue
		}
		delete(h.cands, p)
	}
}

// canOpen reads the first byte of a regular file, never through a link and
// never blocking on a FIFO.
func canOpen(p string) error {
	f, _, err := safefile.OpenRegular(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil && err != io.EOF {
		return err
	}
	return nil
}

func (h *HotFolder) take(ctx context.Context, p string, accept func(context.Context, mailroom.Item) error) error {
	rel, _ := filepath.Rel(h.Dir, p)
	meta := map[string]string{}
	if dir := filepath.Dir(filepath.ToSlash(rel)); dir != "." {
		parts := strings.Split(dir, "/")
		for i, part := range parts {
			parts[i] = SafeName(part)
			meta["subfolder_"+strconv.Itoa(i+1)] = parts[i]
		}
		meta["subfolder"] = strings.Join(parts, "/")
	}
	raw := filepath.Base(p)
	name := SafeName(raw)
	if name != raw {
		meta["original_filename"] = strconv.QuoteToASCII(raw)
	}
	it := mailroom.Item{Source: h.Name(), Profile: h.Profile, Path: p, Name: name, Metadata: meta}
	if err := accept(ctx, it); err != nil {
		return err
	}
	return h.acknowledge(p, rel)
}

// acknowledge deletes the file or moves it to done/, keeping its sub-path.
func (h *HotFolder) acknowledge(p, rel string) error {
	if h.AfterIntake == "move" {
		if _, err := moveInto(h.Dir, DoneDir, p, rel); err != nil {
			return fmt.Errorf("moving to done/: %w", err)
		}
	} else if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting after intake: %w", err)
	}
	safefile.SyncDir(filepath.Dir(p)) // best effort: the rename is done either way
	return nil
}

// moveInto renames p to dir/sub/rel (a time stamp added when that name is
// taken) and returns the new path. It moves the directory entry itself: a
// link stays a link, its target is not touched.
func moveInto(dir, sub, p, rel string) (string, error) {
	dst := filepath.Join(dir, sub, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o770); err != nil {
		return "", err
	}
	if _, err := os.Lstat(dst); err == nil {
		ext := filepath.Ext(dst)
		dst = strings.TrimSuffix(dst, ext) + "-" + time.Now().Format("20060102-150405.000000000") + ext
	}
	return dst, os.Rename(p, dst)
}
