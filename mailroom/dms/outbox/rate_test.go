package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/dmstest"
	"poststelle/mailroom/dms/folder"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/dms/webdav"
	"poststelle/mailroom/dms/webdav/davtest"
)

// TestExportRate measures delivery through the whole outbox (store lease,
// connector, receipt and state change in SQLite with fsync) to the folder
// target and to a real local WebDAV server (lighttpd), in documents per
// second. Delivery must never be the bottleneck: at least 20 documents per
// second to the local WebDAV server.
func TestExportRate(t *testing.T) {
	const n = 200
	srv := davtest.Start(t)
	targets := []struct {
		name string
		exp  func(dir string) mailroom.Exporter
		objs func(dir string) int
	}{
		{"folder", func(dir string) mailroom.Exporter {
			return &folder.Exporter{Target: "ablage", Dir: filepath.Join(dir, "export")}
		},
			func(dir string) int { return len(dmstest.SidecarObjects(t, filepath.Join(dir, "export"))) }},
		{"webdav", func(dir string) mailroom.Exporter {
			return &webdav.Client{Target: "dav", URL: srv.URL, Folder: "rate/" + filepath.Base(dir), User: srv.User, Password: srv.Password, Timeout: 10 * time.Second}
		}, func(dir string) int {
			return len(dmstest.SidecarObjects(t, filepath.Join(srv.Root, "rate", filepath.Base(dir))))
		}},
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := openStore(t, filepath.Join(dir, "data"))
			ids := approvedDocs(t, st, n, true)
			c := cfg(time.Second)
			c.Workers = 4
			ob := &outbox.Outbox{Store: st, Config: c, Targets: []mailroom.Exporter{tc.exp(dir)}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			start := time.Now()
			stop := run(t, ob)
			waitExported(t, ob, ids, 2*time.Minute)
			d := time.Since(start)
			stop()
			rate := float64(n) / d.Seconds()
			t.Logf("%s: %d documents delivered in %s = %.1f documents/s (outbox.workers=4)", tc.name, n, d.Round(time.Millisecond), rate)
			if got := tc.objs(dir); got != n {
				t.Fatalf("target holds %d documents, want %d", got, n)
			}
			if tc.name == "webdav" && rate < 20 {
				t.Errorf("%.1f documents/s to the local WebDAV server, want at least 20", rate)
			}
			_ = context.Background
		})
	}
}
