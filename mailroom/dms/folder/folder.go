package folder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/safefile"
)

// Exporter writes documents below Dir.
type Exporter struct {
	Target  string            // target name for receipts
	Dir     string            // export folder; created if missing
	Mapping map[string]string // field renames in index.json/index.xml
}

var (
	_ mailroom.Exporter = (*Exporter)(nil)
	_ dms.Checker       = (*Exporter)(nil)
)

// Name implements mailroom.Exporter.
func (x *Exporter) Name() string { return x.Target }

// Index is the name of the JSON sidecar; its presence marks a finished folder.
const Index = dms.SidecarJSON

// Export implements mailroom.Exporter. It is idempotent per doc.ID.
func (x *Exporter) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	if doc.ID == "" || doc.ID != filepath.Base(doc.ID) || doc.ID[0] == '.' {
		return mailroom.Receipt{}, mailroom.Permanent(fmt.Errorf("folder: bad document id %q", doc.ID))
	}
	if err := os.MkdirAll(x.Dir, 0o750); err != nil {
		return mailroom.Receipt{}, fmt.Errorf("folder: %w", err)
	}
	final := filepath.Join(x.Dir, doc.ID)
	name := dms.SafeName(doc.Filename)
	if name == "" {
		name = doc.ID + ".pdf"
	}
	if rc, ok, err := x.existing(final, name, doc); ok || err != nil {
		return rc, err
	}
	// Remove what a crashed attempt left behind.
	if old, _ := filepath.Glob(filepath.Join(x.Dir, ".tmp-"+doc.ID+"-*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	tmp, err := os.MkdirTemp(x.Dir, ".tmp-"+doc.ID+"-")
	if err != nil {
		return mailroom.Receipt{}, fmt.Errorf("folder: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	size, err := copyFile(ctx, filepath.Join(tmp, name), doc.PDF)
	if err != nil {
		return mailroom.Receipt{}, err
	}
	files := []string{name}
	for _, n := range slices.Sorted(maps.Keys(doc.Files)) {
		fn, err := dms.ExtraName("folder", n, name)
		if err != nil {
			return mailroom.Receipt{}, err
		}
		if _, err := copyFile(ctx, filepath.Join(tmp, fn), doc.Files[n]); err != nil {
			return mailroom.Receipt{}, err
		}
		files = append(files, fn)
	}
	sc := dms.NewSidecar(doc, name, size, files, x.Mapping)
	xb, jb, err := sc.Encode()
	if err != nil {
		return mailroom.Receipt{}, err
	}
	if err := safefile.Write(filepath.Join(tmp, dms.SidecarXML), xb, 0o640); err != nil {
		return mailroom.Receipt{}, err
	}
	if err := safefile.Write(filepath.Join(tmp, Index), jb, 0o640); err != nil {
		return mailroom.Receipt{}, err
	}
	safefile.SyncDir(tmp) // best effort: some shares cannot sync directories
	if err := os.Rename(tmp, final); err != nil {
		// Another attempt finished first: take its result if complete.
		if rc, ok, err2 := x.existing(final, name, doc); ok || err2 != nil {
			return rc, err2
		}
		return mailroom.Receipt{}, fmt.Errorf("folder: %w", err)
	}
	safefile.SyncDir(x.Dir)
	return x.receipt(final, name), nil
}

// existing reports whether doc's folder is already complete.
func (x *Exporter) existing(final, name string, doc mailroom.ExportDoc) (mailroom.Receipt, bool, error) {
	data, err := os.ReadFile(filepath.Join(final, Index))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(final); err == nil {
			return mailroom.Receipt{}, false, mailroom.Permanent(fmt.Errorf("folder: %s exists but is not a finished export (no %s)", final, Index))
		}
		return mailroom.Receipt{}, false, nil
	}
	if err != nil {
		return mailroom.Receipt{}, false, fmt.Errorf("folder: %w", err)
	}
	var sc dms.Sidecar
	if err := json.Unmarshal(data, &sc); err != nil {
		return mailroom.Receipt{}, false, mailroom.Permanent(fmt.Errorf("folder: %s: %w", filepath.Join(final, Index), err))
	}
	if doc.SHA256 != "" && sc.SHA256 != doc.SHA256 {
		return mailroom.Receipt{}, false, mailroom.Permanent(fmt.Errorf("folder: %s holds other content (sha256 %s, expected %s)", final, sc.SHA256, doc.SHA256))
	}
	return x.receipt(final, sc.Filename), true, nil
}

func (x *Exporter) receipt(final, name string) mailroom.Receipt {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(final, name))}
	return mailroom.Receipt{Target: x.Target, ObjectID: filepath.Base(final), URL: u.String(), Time: time.Now().UTC()}
}

// Check implements dms.Checker: the folder exists (or can be made) and is writable.
func (x *Exporter) Check(ctx context.Context) (string, error) {
	if err := os.MkdirAll(x.Dir, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(x.Dir, ".doctor-*")
	if err != nil {
		return "", fmt.Errorf("not writable: %w", err)
	}
	f.Close()
	os.Remove(f.Name())
	return x.Dir + " writable", nil
}

func copyFile(ctx context.Context, dst, src string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, mailroom.Permanent(fmt.Errorf("folder: source: %w", err))
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, fmt.Errorf("folder: %w", err)
	}
	n, err := io.Copy(out, safefile.ContextReader(ctx, in))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("folder: %w", err)
	}
	return n, nil
}
