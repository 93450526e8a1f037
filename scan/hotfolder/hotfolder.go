package hotfolder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"poststelle/mailroom"
)

// HotFolder is a watched folder: a mailroom.Source that takes a file only
// when its size and mtime stayed unchanged for StableDelay and it can be
// opened, and acknowledges it (delete, or move to done/) only after accept
// returned nil. File-system events make it react at once; polling mode (for
// SMB/NFS shares, which deliver no events) and a periodic full rescan make
// sure nothing is missed.
type HotFolder struct {
	Dir            string
	Profile        mailroom.Profile
	AfterIntake    string // "delete" or "move"
	Poll           bool
	StableDelay    time.Duration
	PollInterval   time.Duration
	RescanInterval time.Duration
	Log            *slog.Logger

	cands    map[string]*candidate
	addWatch func(dir string)
}

type candidate struct {
	size      int64
	mtime     time.Time
	stableAt  time.Time // when size and mtime were last seen changing (or first seen)
	nextTry   time.Time // after a failed accept
	failures  int
	announced bool
}

var _ mailroom.Source = (*HotFolder)(nil)

// Name implements mailroom.Source.
func (h *HotFolder) Name() string { return "folder:" + h.Profile.Name }

// DoneDir is the folder acknowledged files are moved into.
const DoneDir = "done"

// Ignored reports whether a file name is a temp, lock or hidden file.
func Ignored(name string) bool {
	low := strings.ToLower(name)
	switch {
	case name == "" || strings.HasPrefix(name, "."), strings.HasPrefix(name, "~$"),
		strings.HasSuffix(low, ".tmp"), strings.HasSuffix(low, ".part"), strings.HasSuffix(low, ".crdownload"),
		strings.HasSuffix(low, ".partial"), strings.HasSuffix(low, "~"), low == "thumbs.db", low == "desktop.ini":
		return true
	}
	return false
}

func (h *HotFolder) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default().With("source", h.Name())
	}
	return h.Log
}

// Run implements mailroom.Source.
func (h *HotFolder) Run(ctx context.Context, accept func(context.Context, mailroom.Item) error) error {
	if err := os.MkdirAll(h.Dir, 0o770); err != nil {
		return fmt.Errorf("hot folder %s: %w", h.Dir, err)
	}
	if h.StableDelay <= 0 {
		h.StableDelay = 2 * time.Second
	}
	if h.PollInterval <= 0 {
		h.PollInterval = 5 * time.Second
	}
	if h.RescanInterval <= 0 {
		h.RescanInterval = time.Minute
	}
	h.cands = map[string]*candidate{}

	var events <-chan fsnotify.Event
	var errs <-chan error
	if !h.Poll {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			h.log().Warn("no file-system events; polling instead", "err", err)
			h.Poll = true
		} else {
			defer w.Close()
			h.watchTree(w, h.Dir)
			events, errs = w.Events, w.Errors
			h.addWatch = func(dir string) { h.watchTree(w, dir) }
		}
	}
	scanEvery := h.RescanInterval
	if h.Poll && h.PollInterval < scanEvery {
		scanEvery = h.PollInterval
	}
	tick := h.StableDelay / 4
	if tick < 50*time.Millisecond {
		tick = 50 * time.Millisecond
	}
	if tick > 500*time.Millisecond {
		tick = 500 * time.Millisecond
	}
	checkT := time.NewTicker(tick)
	defer checkT.Stop()
	scanT := time.NewTicker(scanEvery)
	defer scanT.Stop()
	h.scan()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return errors.New("file-system watcher closed")
			}
			h.event(ev)
		case err := <-errs:
			// Overflow or watcher trouble: a full rescan finds everything.
			h.log().Warn("watcher error; rescanning", "err", err)
			h.scan()
		case <-scanT.C:
			h.scan()
		case <-checkT.C:
			h.check(ctx, accept)
		}
	}
}

func (h *HotFolder) event(ev fsnotify.Event) {
	name := filepath.Base(ev.Name)
	if Ignored(name) {
		return
	}
	if ev.Op&(fsnotify.Create|fsnotify.Write|fsnotify.Chmod) != 0 {
		fi, err := os.Stat(ev.Name)
		if err != nil {
			return
		}
		if fi.IsDir() {
			if h.addWatch != nil && !h.skipDir(ev.Name) {
				h.addWatch(ev.Name)
			}
			h.scan()
			return
		}
		h.observe(ev.Name, fi)
	}
	if ev.Op&(fsnotify.Remove|fsnotify.Rename) != 0 {
		delete(h.cands, ev.Name)
	}
}

func (h *HotFolder) skipDir(p string) bool {
	rel, err := filepath.Rel(h.Dir, p)
	if err != nil {
		return true
	}
	first := strings.Split(filepath.ToSlash(rel), "/")[0]
	return first == DoneDir || strings.HasPrefix(filepath.Base(p), ".")
}

func (h *HotFolder) watchTree(w *fsnotify.Watcher, root string) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != h.Dir && h.skipDir(p) {
			return filepath.SkipDir
		}
		if err := w.Add(p); err != nil {
			h.log().Warn("cannot watch folder", "folder", p, "err", err)
		}
		return nil
	})
}

// scan lists the whole tree and observes every file.
func (h *HotFolder) scan() {
	seen := map[string]bool{}
	filepath.WalkDir(h.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != h.Dir && h.skipDir(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if Ignored(d.Name()) || !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		seen[p] = true
		h.observe(p, fi)
		return nil
	})
	for p := range h.cands {
		if !seen[p] {
			delete(h.cands, p)
		}
	}
}

func (h *HotFolder) observe(p string, fi fs.FileInfo) {
	now := time.Now()
	c, ok := h.cands[p]
	if !ok {
		h.cands[p] = &candidate{size: fi.Size(), mtime: fi.ModTime(), stableAt: now}
		return
	}
	if c.size != fi.Size() || !c.mtime.Equal(fi.ModTime()) {
		c.size, c.mtime, c.stableAt = fi.Size(), fi.ModTime(), now
	}
}

// check takes every candidate that has been stable long enough.
func (h *HotFolder) check(ctx context.Context, accept func(context.Context, mailroom.Item) error) {
	now := time.Now()
	for p, c := range h.cands {
		if ctx.Err() != nil {
			return
		}
		fi, err := os.Stat(p)
		if err != nil {
			delete(h.cands, p)
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
			if !c.announced {
				h.log().Info("file not readable yet; waiting", "file", p, "err", err)
				c.announced = true
			}
			c.nextTry = now.Add(h.StableDelay)
			continue
		}
		if err := h.take(ctx, p, accept); err != nil {
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

func canOpen(p string) error {
	f, err := os.Open(p)
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
		meta["subfolder"] = dir
		for i, part := range strings.Split(dir, "/") {
			meta["subfolder_"+strconv.Itoa(i+1)] = part
		}
	}
	it := mailroom.Item{Source: h.Name(), Profile: h.Profile, Path: p, Name: filepath.Base(p), Metadata: meta}
	if err := accept(ctx, it); err != nil {
		return err
	}
	return h.acknowledge(p, rel)
}

// acknowledge deletes the file or moves it to done/, keeping its sub-path.
func (h *HotFolder) acknowledge(p, rel string) error {
	if h.AfterIntake == "move" {
		dst := filepath.Join(h.Dir, DoneDir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o770); err != nil {
			return err
		}
		if _, err := os.Stat(dst); err == nil {
			ext := filepath.Ext(dst)
			dst = strings.TrimSuffix(dst, ext) + "-" + time.Now().Format("20060102-150405.000000000") + ext
		}
		if err := os.Rename(p, dst); err != nil {
			return fmt.Errorf("moving to done/: %w", err)
		}
	} else if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting after intake: %w", err)
	}
	if d, err := os.Open(filepath.Dir(p)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
