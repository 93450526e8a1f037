package inbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/rendition"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// buildMail makes a multipart mail with the given attachments (name → data),
// names encoded per RFC 2231.
func buildMail(msgID, subject string, atts [][2]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\r\nTo: poststelle@stadt.example\r\n"+
		"Subject: %s\r\nDate: Mon, 02 Jun 2025 10:00:00 +0200\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"+
		"X-De-Mail-Sender-Authenticated: hoch\r\n"+
		"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Content-Transfer-Encoding: 8bit\r\n\r\nSehr geehrte Damen und Herren,\r\nanbei die Unterlagen für die Straßenreinigung.\r\n", subject, msgID)
	for _, a := range atts {
		enc := strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(a[1])), "", "")
		fmt.Fprintf(&b, "--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"+
			"Content-Disposition: attachment; filename*=UTF-8''%s\r\n\r\n", a[0])
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--XYZ--\r\n")
	return b.Bytes()
}

func newEngine(t *testing.T, mode string) (*engine.Engine, *store.Store) {
	v := &signature.Verifier{}
	return engineWith(t, &inbox.Expander{Mode: mode, MaxAttachment: 1 << 20, Verifier: v}, &inbox.Classifier{Verifier: v})
}

// engineWith is an engine over a store in a temp directory with the mail
// Expander x (its TempDir set here) and Classifier c, plus the e-invoice and
// signature classifiers.
func engineWith(t *testing.T, x *inbox.Expander, c *inbox.Classifier) (*engine.Engine, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg, err := mailroom.Default(dir)
	if err != nil {
		t.Fatal(err)
	}
	x.TempDir = t.TempDir()
	t.Cleanup(func() { x.Close() })
	e := &engine.Engine{Config: cfg, Store: st, OneShot: true,
		Expanders:   []mailroom.Expander{x},
		Classifiers: []mailroom.Classifier{c, &einvoice.Classifier{}, &signature.Classifier{Verifier: c.Verifier}}}
	return e, st
}

// processAll runs ProcessBatch on the batch and on every batch taken in from it.
func processAll(t *testing.T, e *engine.Engine, st *store.Store, id string) []*mailroom.Document {
	t.Helper()
	ctx := context.Background()
	var docs []*mailroom.Document
	queue := []string{id}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		if err := e.ProcessBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		ds, err := st.Documents(ctx, mailroom.DocFilter{BatchID: b})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, ds...)
		all, _ := st.Batches(ctx)
		for _, c := range all {
			if c.Metadata["parent_batch"] == b {
				queue = append(queue, c.ID)
			}
		}
	}
	return docs
}

func TestProcessMailWithPDF(t *testing.T) {
	e, st := newEngine(t, "separate")
	pdf, err := rendition.Render(rendition.Doc{Title: "Bescheid", Body: "Inhalt"})
	if err != nil {
		t.Fatal(err)
	}
	zugferd, err := os.ReadFile(testcorpus.Path(t, "einvoice", "zugferd", "EN16931_Einfach.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	raw := buildMail("<abc@example.org>", "=?UTF-8?Q?Antrag_Stra=C3=9Fe?=", [][2]string{
		{"Rechnung%20M%C3%A4rz.pdf", string(pdf)},
		{"..%2F..%2Fetc%2Fpasswd", "evil"},
		{"EN16931_Einfach.pdf", string(zugferd)},
	})
	path := filepath.Join(t.TempDir(), "in.eml")
	os.WriteFile(path, raw, 0o600)
	b, _, err := st.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "in.eml"})
	if err != nil {
		t.Fatal(err)
	}
	if b.MediaType != mailroom.MediaEML {
		t.Fatalf("media type %s", b.MediaType)
	}
	docs := processAll(t, e, st, b.ID)
	if len(docs) != 4 {
		t.Fatalf("%d documents, want 4 (mail + 3 attachments)", len(docs))
	}
	byName := map[string]*mailroom.Document{}
	for _, d := range docs {
		if d.Metadata["mail_message_id"] != "<abc@example.org>" || d.Metadata["mail_subject"] != "Antrag Straße" ||
			d.Metadata["mail_from"] != "Jürgen Müller <juergen@example.org>" {
			t.Errorf("document %s: mail metadata %v", d.ID, d.Metadata)
		}
		byName[d.Metadata["filename"]] = d
	}
	mail := byName[""]
	if mail == nil || mail.Output == "" || filepath.Base(mail.Output) != "mail.pdf" {
		t.Fatalf("mail document without rendition: %+v", mail)
	}
	if mail.State != mailroom.StateReview {
		t.Errorf("mail document state %s reason %s", mail.State, mail.Reason)
	}
	if mail.Metadata["de_mail_sender_authenticated"] != "hoch" {
		t.Errorf("De-Mail header not kept: %v", mail.Metadata)
	}
	if !strings.Contains(mail.Metadata["mail_attachments"], "Rechnung März.pdf") {
		t.Errorf("attachment list %q", mail.Metadata["mail_attachments"])
	}
	att := byName["Rechnung März.pdf"]
	if att == nil {
		t.Fatalf("attachment Rechnung März.pdf missing: %v", keys(byName))
	}
	if att.Metadata["parent_batch"] != b.ID {
		t.Errorf("parent_batch %q", att.Metadata["parent_batch"])
	}
	if byName["passwd"] == nil {
		t.Errorf("traversal name not made safe: %v", keys(byName))
	}
	inv := byName["EN16931_Einfach.pdf"]
	if inv == nil || inv.Metadata["einvoice_syntax"] != "facturx" || inv.Metadata["invoice_number"] != "471102" || !inv.HasFlag("e-invoice") {
		t.Errorf("ZUGFeRD attachment not recognised: %+v", inv)
	}
	// The attachment original is byte-identical to what was sent.
	ab, _ := st.Batch(context.Background(), att.BatchID)
	got, _ := os.ReadFile(st.OriginalPath(ab.SHA256))
	if !bytes.Equal(got, pdf) {
		t.Error("stored attachment differs from the sent PDF")
	}
	// Processing the same mail again duplicates nothing.
	b2, _, err := st.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "in.eml"})
	if err != mailroom.ErrDuplicate || b2.ID != b.ID {
		t.Errorf("second intake: %v", err)
	}
}

func keys(m map[string]*mailroom.Document) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func TestProcessTogetherAndLimits(t *testing.T) {
	e, st := newEngine(t, "together")
	raw := buildMail("<t@example.org>", "Zusammen", [][2]string{{"a.pdf", "%PDF-1.4 tiny"}})
	path := filepath.Join(t.TempDir(), "t.eml")
	os.WriteFile(path, raw, 0o600)
	b, _, err := st.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "t.eml"})
	if err != nil {
		t.Fatal(err)
	}
	docs := processAll(t, e, st, b.ID)
	if len(docs) != 1 || docs[0].Metadata["mail_mode"] != "together" || docs[0].Output == "" {
		t.Fatalf("together: %d documents %+v", len(docs), docs)
	}

	e2, st2 := newEngine(t, "separate")
	big := strings.Repeat("x", 2<<20)
	raw = buildMail("<big@example.org>", "Groß", [][2]string{{"big.bin", big}})
	path = filepath.Join(t.TempDir(), "big.eml")
	os.WriteFile(path, raw, 0o600)
	b, _, err = st2.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "big.eml"})
	if err != nil {
		t.Fatal(err)
	}
	docs = processAll(t, e2, st2, b.ID)
	var quarantined int
	for _, d := range docs {
		if d.Metadata["filename"] == "big.bin" {
			if d.State != mailroom.StateQuarantined || !strings.Contains(d.Reason, "zu groß") {
				t.Errorf("oversized attachment: state %s reason %q", d.State, d.Reason)
			}
			quarantined++
		}
	}
	if quarantined != 1 {
		t.Errorf("oversized attachment not taken in (documents %d)", len(docs))
	}
}
