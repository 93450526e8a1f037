package dms_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/cmis"
	"poststelle/mailroom/dms/webdav"
)

// A refused connection is a transient error (retried), not a cancellation:
// the connectors must classify it before releasing their request context.
func TestRefusedConnectionIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	pdf := filepath.Join(t.TempDir(), "d.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n%%EOF\n"), 0o644)
	doc := mailroom.ExportDoc{ID: "0b7f5f0e-1c1a-4a57-9a43-2d3b1f3e6a11", Filename: "d.pdf", PDF: pdf, Metadata: map[string]string{}}
	for name, exp := range map[string]mailroom.Exporter{
		"cmis":   &cmis.Client{Target: "c", URL: "http://" + addr + "/browser", Repository: "r", Timeout: 5 * time.Second},
		"webdav": &webdav.Client{Target: "w", URL: "http://" + addr + "/dav", Timeout: 5 * time.Second},
	} {
		_, err := exp.Export(context.Background(), doc)
		var tr *dms.Transient
		if err == nil || errors.Is(err, context.Canceled) || !errors.As(err, &tr) || mailroom.IsPermanent(err) {
			t.Errorf("%s: refused connection gave %v, want a transient error", name, err)
		}
	}
}
