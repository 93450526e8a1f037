package paperless_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/dmstest"
	"poststelle/mailroom/dms/paperless"
	"poststelle/mailroom/dms/paperless/paperlesstest"
)

func start(t *testing.T) (*paperlesstest.Server, *dmstest.FaultProxy, string) {
	pl := paperlesstest.New(t.TempDir(), "tok-123")
	proxy := &dmstest.FaultProxy{Next: pl}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return pl, proxy, srv.URL
}

func objects(pl *paperlesstest.Server) []dmstest.Object {
	var out []dmstest.Object
	for _, d := range pl.Documents() {
		out = append(out, dmstest.Object{Name: d.FileName, SHA256: d.SHA256, Size: d.Size})
	}
	return out
}

var mapping = map[string]string{"title": "title", "department": "tag", "document_class": "document_type", "document_id": "custom_field:Poststelle-ID"}

func TestSuite(t *testing.T) {
	dmstest.Run(t, func(t *testing.T) *dmstest.Target {
		pl, proxy, u := start(t)
		return &dmstest.Target{
			New: func(t *testing.T, o dmstest.Options) mailroom.Exporter {
				tok := "tok-123"
				if o.BadCredentials {
					tok = "wrong"
				}
				return &paperless.Client{Target: "paperless", URL: u, Token: tok, Mapping: mapping, Timeout: o.Timeout, Poll: 20 * time.Millisecond}
			},
			Objects: func(t *testing.T) []dmstest.Object { return objects(pl) },
			Faults:  proxy,
		}
	})
}

func TestFieldsAndNoRepost(t *testing.T) {
	pl, proxy, u := start(t)
	c := &paperless.Client{Target: "paperless", URL: u, Token: "tok-123", Mapping: mapping, Poll: 20 * time.Millisecond}
	doc := dmstest.NewDoc(t, t.TempDir(), 3000)
	// The answer to post_document is lost: the retry must follow the running
	// task (or find the checksum), not post again.
	pl.ConsumeDelay = 300 * time.Millisecond
	proxy.Inject(dmstest.DropAfter, 1, true)
	if _, err := c.Export(context.Background(), doc); err == nil {
		t.Fatal("dropped connection reported as success")
	}
	rc, err := c.Export(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Posts != 1 {
		t.Fatalf("post_document called %d times, want 1", pl.Posts)
	}
	docs := pl.Documents()
	if len(docs) != 1 || rc.ObjectID != "1" {
		t.Fatalf("documents %+v receipt %+v", docs, rc)
	}
	d := docs[0]
	if d.Title != "Brief Müller" || len(d.Tags) != 1 || d.DocumentType == 0 || d.CustomFields["2"] != doc.ID {
		t.Errorf("fields not mapped: %+v", d)
	}
	if s, err := c.Check(context.Background()); err != nil {
		t.Error(err)
	} else {
		t.Log(s)
	}
}

func TestUnknownCustomFieldPermanent(t *testing.T) {
	_, _, u := start(t)
	c := &paperless.Client{Target: "paperless", URL: u, Token: "tok-123", Mapping: map[string]string{"title": "custom_field:Gibtsnicht"}}
	_, err := c.Export(context.Background(), dmstest.NewDoc(t, t.TempDir(), 3000))
	if !mailroom.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
}
