package inbox_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/store"
)

func nestedEngine(t *testing.T, v *signature.Verifier, lim inbox.Limits) (*engine.Engine, *store.Store) {
	return engineWith(t, &inbox.Expander{Mode: "separate", MaxAttachment: 1 << 20, Verifier: v, Limits: lim}, &inbox.Classifier{Verifier: v, Limits: lim})
}

// trusting is a verifier that trusts the signer's CA.
func trusting(s signer) *signature.Verifier {
	pool := x509.NewCertPool()
	pool.AddCert(s.ca)
	return &signature.Verifier{Roots: pool}
}

func innerMail() string {
	return "From: innen@example.org\r\nSubject: Innere Nachricht\r\nMessage-ID: <innen@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nInnen.\r\n--m\r\n" +
		"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"anlage.bin\"\r\n\r\n" +
		b64(bytes.Repeat([]byte("anlage "), 2000)) + "--m--\r\n"
}

func wrap(subject, boundary, part string) []byte {
	return []byte("From: aussen@example.org\r\nTo: poststelle@stadt.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + boundary + "@example.org>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
		"\r\nContent-Type: text/plain\r\n\r\nWeitergeleitet.\r\n--" + boundary + "\r\n" + part + "--" + boundary + "--\r\n")
}

func intakeAll(t *testing.T, e *engine.Engine, st *store.Store, raw []byte) (*mailroom.Batch, map[string]*mailroom.Document) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.eml")
	os.WriteFile(path, raw, 0o600)
	b, _, err := st.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "in.eml"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*mailroom.Document{}
	for _, d := range processAll(t, e, st, b.ID) {
		byName[d.Metadata["filename"]] = d
	}
	return b, byName
}

func original(t *testing.T, st *store.Store, d *mailroom.Document) []byte {
	t.Helper()
	b, err := st.Batch(context.Background(), d.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(st.OriginalPath(b.SHA256))
	return raw
}

// TestNestedSignedMailShortened: a forwarded S/MIME-signed mail that itself
// carries a mail. Its stored copy has the inner mail replaced by a note (so
// its signature no longer verifies on the copy); the signature result comes
// from the check on the complete mail and the document is still "signed".
func TestNestedSignedMailShortened(t *testing.T) {
	s := newSigner(t)
	v := trusting(s)
	content := "Content-Type: multipart/mixed; boundary=\"sig-in\"\r\n\r\n--sig-in\r\nContent-Type: text/plain\r\n\r\nSigniert weitergeleitet.\r\n" +
		"--sig-in\r\nContent-Type: message/rfc822\r\n\r\n" + innerMail() + "--sig-in--\r\n"
	sig := s.sign(t, []byte(content), true)
	signedN := "From: Erika Mustermann <erika@example.org>\r\nSubject: Signierte Weiterleitung\r\nMessage-ID: <n@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"sig\"\r\n\r\n" +
		"--sig\r\n" + content + "\r\n--sig\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(sig) + "--sig--\r\n"
	raw := wrap("Aussen", "root", "Content-Type: message/rfc822\r\n\r\n"+signedN)

	e, st := nestedEngine(t, v, inbox.Limits{})
	_, docs := intakeAll(t, e, st, raw)
	n, m, leaf := docs["Signierte Weiterleitung.eml"], docs["Innere Nachricht.eml"], docs["anlage.bin"]
	if n == nil || m == nil || leaf == nil || len(docs) != 4 {
		t.Fatalf("documents %v, want the mail, both nested mails and anlage.bin", keys(docs))
	}
	if n.Metadata[inbox.MetaShortened] != "true" || n.Metadata["mail_signature_valid"] != "true" || !n.HasFlag(mailroom.FlagSigned) {
		t.Errorf("signed nested mail: flags %v metadata %v", n.Flags, n.Metadata)
	}
	if n.Metadata[inbox.MetaMailDepth] != "1" || m.Metadata[inbox.MetaMailDepth] != "2" || m.Metadata[inbox.MetaContainer] != "Signierte Weiterleitung.eml" {
		t.Errorf("depths %q %q container %q", n.Metadata[inbox.MetaMailDepth], m.Metadata[inbox.MetaMailDepth], m.Metadata[inbox.MetaContainer])
	}
	cp := original(t, st, n)
	if !bytes.Contains(cp, []byte("X-Poststelle-Stub")) || bytes.Contains(cp, []byte(b64(bytes.Repeat([]byte("anlage "), 2000))[:200])) {
		t.Error("the copy of the signed mail still holds its nested mail")
	}
	// Why the metadata is needed: the copy itself does not verify.
	if pm := inbox.Parse(cp, v); len(pm.Signatures) != 1 || pm.Signatures[0].Valid {
		t.Errorf("shortened copy verifies: %+v", pm.Signatures)
	}
	// The copy lists the same attachments as the complete mail.
	exact := inbox.Parse([]byte(signedN), v)
	if got, want := n.Metadata["mail_attachments"], exact.Attachments[0].Filename; got != want {
		t.Errorf("copy lists %q, the complete mail %q", got, want)
	}
	if n.HasFlag(inbox.FlagAttachmentsUnreadable) || m.HasFlag(inbox.FlagAttachmentsUnreadable) {
		t.Error("flag set although everything was taken in")
	}
}

// TestNestedOpaqueSignedMail: a mail inside S/MIME signed-data cannot be
// replaced by a note; the copy stays exact and the inner mail is taken in
// within the received mail's size budget.
func TestNestedOpaqueSignedMail(t *testing.T) {
	s := newSigner(t)
	v := trusting(s)
	content := "Content-Type: multipart/mixed; boundary=\"op\"\r\n\r\n--op\r\nContent-Type: text/plain\r\n\r\nUndurchsichtig.\r\n" +
		"--op\r\nContent-Type: message/rfc822\r\n\r\n" + innerMail() + "--op--\r\n"
	opaqueN := "From: e@example.org\r\nSubject: Opaque\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64(s.sign(t, []byte(content), false))
	raw := wrap("Aussen", "root2", "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"opaque.eml\"\r\n\r\n"+opaqueN)
	e, st := nestedEngine(t, v, inbox.Limits{})
	_, docs := intakeAll(t, e, st, raw)
	n, m := docs["opaque.eml"], docs["Innere Nachricht.eml"]
	if n == nil || m == nil || docs["anlage.bin"] == nil {
		t.Fatalf("documents %v", keys(docs))
	}
	// (The line break before the boundary belongs to the boundary.)
	if !bytes.Equal(original(t, st, n), []byte(strings.TrimSuffix(opaqueN, "\r\n"))) || n.Metadata[inbox.MetaShortened] != "" {
		t.Error("copy of the S/MIME signed-data mail is not exact")
	}
	if !n.HasFlag(mailroom.FlagSigned) || n.Metadata["mail_signature_valid"] != "true" {
		t.Errorf("opaque nested mail: flags %v metadata %v", n.Flags, n.Metadata)
	}
}

// TestNestedDepthLimitFlag: below the depth limit a nested mail stays in its
// container's copy; that document carries the flag and says why.
func TestNestedDepthLimitFlag(t *testing.T) {
	raw := []byte(innerMail())
	for i := 1; i <= 4; i++ {
		raw = wrap("Ebene "+string(rune('0'+i)), "e"+string(rune('0'+i)), "Content-Type: message/rfc822\r\n\r\n"+string(raw))
	}
	e, st := nestedEngine(t, &signature.Verifier{}, inbox.Limits{MailDepth: 2})
	b, docs := intakeAll(t, e, st, raw)
	var deepest *mailroom.Document
	for _, d := range docs {
		if d.Metadata[inbox.MetaMailDepth] == "2" && strings.HasSuffix(d.Metadata["filename"], ".eml") {
			deepest = d
		}
		if d.Metadata[inbox.MetaMailDepth] > "2" {
			t.Errorf("%s taken in at depth %s, limit 2", d.Metadata["filename"], d.Metadata[inbox.MetaMailDepth])
		}
	}
	if deepest == nil || len(docs) != 3 {
		t.Fatalf("documents %v, want the mail and two nested mails", keys(docs))
	}
	if !deepest.HasFlag(inbox.FlagAttachmentsUnreadable) || !strings.Contains(deepest.Metadata[inbox.MetaNotTakenIn], "Ebene 1.eml") {
		t.Errorf("deepest taken-in mail: flags %v note %q", deepest.Flags, deepest.Metadata[inbox.MetaNotTakenIn])
	}
	// The mail left inside is stored with its container, not cut out.
	if !bytes.Contains(original(t, st, deepest), []byte("Subject: Innere Nachricht")) {
		t.Error("the mail below the limit is missing from its container's copy")
	}
	for _, d := range docs {
		if d.BatchID == b.ID && d.HasFlag(inbox.FlagAttachmentsUnreadable) {
			t.Error("received mail flagged although its own attachments were taken in")
		}
	}
}
