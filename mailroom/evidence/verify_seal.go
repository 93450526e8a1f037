package evidence

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/digitorus/pkcs7"

	"poststelle/mailroom/pdf"
)

// verifyPDF checks the scan product PDF: its size and hash against the
// Transfervermerk, the XMP binding and the seal with its coverage.
func verifyPDF(rep *Report, data []byte, tv *Transfervermerk, o VerifyOptions) {
	if tv != nil && tv.Dokument.Scanprodukt != nil {
		p := tv.Dokument.Scanprodukt
		switch {
		case p.Groesse <= 0 || p.Groesse > int64(len(data)):
			rep.add("document-hash", Fail, "Scanprodukt gekürzt: %d Bytes erwartet", "scan product truncated: %d bytes expected", p.Groesse)
		case sha(data[:p.Groesse]) != p.SHA256:
			rep.add("document-hash", Fail, "Scanprodukt verändert: SHA-256 der ersten %d Bytes weicht vom Transfervermerk ab",
				"scan product changed: SHA-256 of the first %d bytes differs from the Transfervermerk", p.Groesse)
		default:
			rep.add("document-hash", OK, "Scanprodukt unverändert (SHA-256 %s…)", "scan product unchanged (SHA-256 %s…)", p.SHA256[:16])
		}
	}
	if tv != nil {
		x, err := XMP(data)
		if err != nil || !strings.Contains(x, "<ptv:DocumentID>"+tv.DocumentID+"</ptv:DocumentID>") {
			rep.add("xmp", Fail, "XMP nennt die Dokument-ID %s nicht", "XMP does not carry document id %s", tv.DocumentID)
		} else {
			rep.add("xmp", OK, "XMP-Zusammenfassung an Dokument %s gebunden", "XMP summary bound to document %s", tv.DocumentID)
		}
	}
	sigs, err := pdfSignatures(data)
	if err != nil {
		rep.add("seal", Fail, "Signaturen nicht lesbar: %v", "signatures unreadable: %v", err)
		return
	}
	if len(sigs) == 0 {
		if tv != nil && strings.HasPrefix(tv.Integritaet.Siegel, "PAdES") {
			rep.add("seal", Fail, "laut Transfervermerk gesiegelt, aber keine Signatur im PDF", "Transfervermerk says sealed, but the PDF has no signature")
		} else {
			rep.add("seal", Warn, "PDF ist nicht gesiegelt", "PDF is not sealed")
		}
		return
	}
	last := sigs[len(sigs)-1]
	checkCMS(rep, "seal", last.contents, last.signed, o)
	if end := last.br[2] + last.br[3]; end != int64(len(data)) {
		rep.add("seal-coverage", Fail, "nach dem Siegel wurden %d Bytes angehängt oder entfernt", "%d bytes were appended or removed after the seal",
			int64(len(data))-end)
	} else {
		rep.add("seal-coverage", OK, "Siegel deckt die ganze Datei ab", "seal covers the whole file")
	}
}

type pdfSig struct {
	br       [4]int64
	contents []byte
	signed   []byte
}

// pdfSignatures returns the PDF's signatures with the bytes each signs.
func pdfSignatures(data []byte) (out []pdfSig, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed PDF: %v", p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	sigs, err := r.Signatures()
	if err != nil {
		return nil, err
	}
	for _, sg := range sigs {
		s := pdfSig{br: sg.ByteRange, contents: sg.Contents}
		if s.br[0] < 0 || s.br[1] < 0 || s.br[2] < s.br[0]+s.br[1] || s.br[3] < 0 || s.br[2]+s.br[3] > int64(len(data)) {
			return nil, fmt.Errorf("signature /ByteRange out of the file")
		}
		s.signed = append(append([]byte{}, data[s.br[0]:s.br[0]+s.br[1]]...), data[s.br[2]:s.br[2]+s.br[3]]...)
		out = append(out, s)
	}
	return out, nil
}

// checkCMS verifies a detached CMS signature over content and its timestamp.
func checkCMS(rep *Report, name string, sig, content []byte, o VerifyOptions) {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(sig, &rv); err == nil {
		sig = rv.FullBytes // drop the zero padding of /Contents
	}
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		rep.add(name, Fail, "Signatur nicht lesbar: %v", "signature unreadable: %v", err)
		return
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		rep.add(name, Fail, "Signatur ungültig – Inhalt nach dem Siegeln verändert (%v)", "signature invalid – content changed after sealing (%v)", err)
		return
	}
	signer := p7.GetOnlySigner()
	subj := "?"
	if signer != nil {
		subj = signer.Subject.String()
	}
	if o.Trust != nil && signer != nil {
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		if _, err := signer.Verify(x509.VerifyOptions{Roots: o.Trust, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: signer.NotBefore.Add(signer.NotAfter.Sub(signer.NotBefore) / 2)}); err != nil {
			rep.add(name, Fail, "Signatur mathematisch gültig, aber Zertifikat %s nicht vertrauenswürdig: %v", "signature valid, but certificate %s not trusted: %v", subj, err)
			return
		}
		rep.add(name, OK, "Siegel gültig, Zertifikat %s vertrauenswürdig", "seal valid, certificate %s trusted", subj)
	} else {
		rep.add(name, OK, "Siegel gültig (%s; Vertrauenskette nicht geprüft)", "seal valid (%s; trust chain not checked)", subj)
	}
	for _, si := range p7.Signers {
		for _, a := range si.UnauthenticatedAttributes {
			if !a.Type.Equal(oidSignatureTimestamp) {
				continue
			}
			if err := CheckToken(a.Value.Bytes, si.EncryptedDigest); err != nil {
				rep.add(name+"-timestamp", Fail, "Zeitstempel ungültig: %v", "timestamp invalid: %v", err)
				continue
			}
			tok, _ := ParseToken(a.Value.Bytes)
			rep.add(name+"-timestamp", OK, "Zeitstempel gültig: %s (%s)", "timestamp valid: %s (%s)", tok.Time.UTC().Format("2006-01-02 15:04:05Z"), tok.TSA)
		}
	}
}

func verifyDetached(ctx context.Context, rep *Report, dir string, tvXML, pdfData []byte, o VerifyOptions) {
	if sig, err := os.ReadFile(filepath.Join(dir, DetachedSeal)); err == nil {
		if tvXML == nil {
			rep.add("seal-detached", Fail, "%s ohne %s", "%s without %s", DetachedSeal, FileName)
		} else {
			checkCMS(rep, "seal-detached", sig, tvXML, o)
		}
	}
	for _, x := range []struct {
		file, name string
		data       []byte
	}{{DetachedStamp, "timestamp-transfervermerk", tvXML}, {PDFStamp, "timestamp-pdf", pdfData}} {
		tok, err := os.ReadFile(filepath.Join(dir, x.file))
		if err != nil {
			continue
		}
		if err := CheckToken(tok, x.data); err != nil {
			rep.add(x.name, Fail, "Zeitstempel %s passt nicht: %v", "timestamp %s does not match: %v", x.file, err)
		} else {
			t, _ := ParseToken(tok)
			rep.add(x.name, OK, "Zeitstempel %s gültig: %s", "timestamp %s valid: %s", x.file, t.Time.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
}
