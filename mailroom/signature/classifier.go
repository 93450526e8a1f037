package signature

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"poststelle/mailroom"
	"poststelle/mailroom/rendition"
	"poststelle/mailroom/safefile"
)

// MaxScan bounds how much of a file is read for a signature check.
const MaxScan = 256 << 20

// Classifier checks signed PDFs and .p7m files. A signed original is the
// document of record (KeepOriginal); for a .p7m whose content is a PDF that
// content is written beside it as the readable rendition.
type Classifier struct {
	Verifier *Verifier
}

var _ mailroom.Classifier = (*Classifier)(nil)

// Classify implements mailroom.Classifier.
func (c *Classifier) Classify(ctx context.Context, in mailroom.ClassifyInput) (mailroom.Classification, error) {
	if in.MediaType != mailroom.MediaPDF && in.MediaType != mailroom.MediaPKCS7 {
		return mailroom.Classification{}, nil
	}
	f, err := os.Open(in.Original)
	if err != nil {
		return mailroom.Classification{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxScan))
	f.Close()
	if err != nil {
		return mailroom.Classification{}, err
	}
	if in.MediaType == mailroom.MediaPDF {
		r, found := c.Verifier.VerifyPDF(data)
		if !found {
			return mailroom.Classification{}, nil
		}
		flags := append([]string{mailroom.FlagSigned}, Flags([]Result{r})...)
		return mailroom.Classification{Metadata: r.Metadata(""), Flags: flags, KeepOriginal: true}, nil
	}
	return c.p7m(in, data)
}

// DecodeP7 accepts DER, PEM or base64 CMS data.
func DecodeP7(data []byte) []byte {
	if ContentType(data) != "" {
		return data
	}
	t := bytes.TrimSpace(data)
	if bytes.HasPrefix(t, []byte("-----BEGIN")) {
		if i := bytes.IndexByte(t, '\n'); i > 0 {
			t = t[i+1:]
		}
		if j := bytes.Index(t, []byte("-----END")); j > 0 {
			t = t[:j]
		}
	}
	clean := bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, t)
	if der, err := base64.StdEncoding.DecodeString(string(clean)); err == nil && ContentType(der) != "" {
		return der
	}
	return data
}

func (c *Classifier) p7m(in mailroom.ClassifyInput, data []byte) (mailroom.Classification, error) {
	der := DecodeP7(data)
	switch ContentType(der) {
	case "encrypted":
		return mailroom.Classification{}, mailroom.BadInput(
			"Verschlüsselte Datei (CMS/S-MIME) kann nicht entschlüsselt werden; das Original ist gespeichert",
			"encrypted file (CMS/S/MIME) cannot be decrypted; the original is kept", nil)
	case "signed":
	default:
		return mailroom.Classification{}, mailroom.BadInput("Signierte Datei (.p7m) ist beschädigt oder kein CMS-Format",
			"signed file (.p7m) is damaged or not CMS", nil)
	}
	r, content := c.Verifier.VerifyAttached("p7m", der)
	out := mailroom.Classification{Metadata: r.Metadata(""), Flags: []string{mailroom.FlagSigned}, KeepOriginal: true}
	if in.OutDir == "" {
		return out, nil
	}
	if err := os.MkdirAll(in.OutDir, 0o750); err != nil {
		return out, err
	}
	path := filepath.Join(in.OutDir, "inhalt.pdf")
	if bytes.HasPrefix(content, []byte("%PDF-")) {
		if err := safefile.Write(path, content, 0o640); err != nil {
			return out, err
		}
		out.Metadata["signed_content"] = "application/pdf"
		out.Rendition = path
		return out, nil
	}
	body := "(Inhalt ist kein Text / content is not text; see the original)"
	if utf8.Valid(content) && len(content) > 0 {
		body = string(content)
	}
	d := rendition.Doc{Title: "Signierte Datei " + in.Filename, Created: time.Now(),
		Fields: []rendition.Field{{Label: "Signatur gültig", Value: out.Metadata["signature_valid"]},
			{Label: "Unterzeichner", Value: r.Signer}, {Label: "Vertrauenswürdig", Value: out.Metadata["signer_trusted"]},
			{Label: "Größe", Value: fmt.Sprintf("%d Bytes", len(content))}},
		Body:   body,
		Footer: "Lesefassung; maßgeblich ist die signierte Originaldatei. / Readable rendition; the signed original is the record."}
	if err := rendition.Write(path, d); err != nil {
		return out, err
	}
	out.Rendition = path
	return out, nil
}
