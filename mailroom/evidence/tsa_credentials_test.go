package evidence_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
)

// authTSA puts basic authentication in front of the local TSA.
func authTSA(t *testing.T, tsaURL, user, pass string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(tsaURL, r.Header.Get("Content-Type"), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A TSA URL with credentials: they are sent (seal timestamp and journal
// checkpoints work), but neither the Transfervermerk, the journal, the
// configuration entry nor an error names them.
func TestTSACredentialsNeverWrittenDown(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	const secret = "Geheim-7f3a"
	base := authTSA(t, r.f.TSA.URL, "poststelle", secret)
	withCreds := strings.Replace(base, "http://", "http://poststelle:"+secret+"@", 1) + "/?token=" + secret
	r.f.TSA = &evidence.TSAClient{URL: withCreds}
	if n := r.f.TSA.Name(); strings.Contains(n, secret) || strings.Contains(n, "poststelle@") {
		t.Fatalf("Name shows credentials: %s", n)
	}
	dir, d := r.sealed()
	rep := verifyWith(t, dir, r.options(evidence.NewAnchors(r.pki.CA)))
	wantOutcome(t, "sealed with an authenticated TSA", rep, evidence.Intact, "")
	if c := check(rep, "seal-timestamp"); c == nil || c.Status != evidence.OK {
		t.Fatalf("seal timestamp: %+v", c)
	}
	s := &evidence.JournalStamper{Journal: r.st, Records: r.st, TSA: r.f.TSA, Interval: 1}
	if err := s.Stamp(ctx); err != nil {
		t.Fatalf("checkpoint through the authenticated TSA: %v", err)
	}
	r.cfg.Evidence.TSA = withCreds
	if err := evidence.JournalConfig(ctx, r.st, r.cfg, "test"); err != nil {
		t.Fatal(err)
	}
	bad := &evidence.TSAClient{URL: strings.Replace(withCreds, secret+"@", "falsch@", 1)}
	_, err := bad.Stamp(ctx, []byte("x"))
	if err == nil || strings.Contains(err.Error(), "falsch") || strings.Contains(err.Error(), secret) {
		t.Fatalf("error with wrong credentials: %v", err)
	}
	unreachable := &evidence.TSAClient{URL: "http://poststelle:" + secret + "@127.0.0.1:1/"}
	if _, err := unreachable.Stamp(ctx, []byte("x")); err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "poststelle@") {
		t.Fatalf("error of an unreachable TSA: %v", err)
	}
	tv, _ := os.ReadFile(filepath.Join(dir, evidence.FileName))
	if strings.Contains(string(tv), secret) || !strings.Contains(string(tv), "<Zeitstempel>http://127.0.0.1") {
		t.Errorf("Transfervermerk: %s", tv)
	}
	entries, _ := r.st.Journal(ctx, mailroom.JournalFilter{})
	for _, e := range entries {
		if strings.Contains(e.Detail, secret) || strings.Contains(e.Detail, "poststelle:") {
			t.Errorf("journal entry %d (%s) names the credentials: %s", e.Seq, e.Action, e.Detail)
		}
	}
	if len(entries) == 0 || d == nil {
		t.Fatal("nothing journaled")
	}
}

// verify reads an embedded Transfervermerk only up to its limit (16 MiB):
// a larger one is refused as unreadable, not read into memory.
func TestVerifyEmbeddedStreamLimit(t *testing.T) {
	big := append([]byte(`<?xml version="1.0"?><Transfervermerk xmlns="urn:poststelle:transfervermerk:1" version="1" dokumentId="d1"><!--`),
		bytes.Repeat([]byte("x"), 20<<20)...)
	big = append(big, "--></Transfervermerk>"...)
	pdfData, err := evidence.Embed(evidencetest.OwnPDF(t), big, evidence.Summary{DocumentID: "d1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := evidence.Embedded(pdfData); err == nil {
		t.Fatal("an embedded file over the limit was read")
	}
	p := filepath.Join(t.TempDir(), "big.pdf")
	os.WriteFile(p, pdfData, 0o600)
	rep := verifyWith(t, p, evidence.VerifyOptions{})
	wantOutcome(t, "oversized embedded Transfervermerk", rep, evidence.Broken, "pdf")
}

// A TSA that takes the request and never answers: the PAdES seal (whose
// library asks the TSA without a timeout) gives up after the TSA client's
// timeout with a clear error, instead of hanging the evidence step.
func TestSealPDFTSANeverAnswers(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	sealer, err := evidence.LoadPKCS12(pki.SealP12, evidencetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	tsa := &evidence.TSAClient{URL: srv.URL, HTTP: &http.Client{Timeout: time.Second}}
	start := time.Now()
	_, err = sealer.SealPDF(context.Background(), evidencetest.OwnPDF(t), "test", tsa)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "timestamp server") {
		t.Fatalf("err = %v", err)
	}
	if took > 5*time.Second {
		t.Fatalf("gave up after %v, the TSA client's timeout is 1 s", took)
	}
	t.Logf("gave up after %v: %v", took.Round(time.Millisecond), err)
}
