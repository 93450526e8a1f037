package evidence

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
)

// pdfSeal checks the seal of our PDF: the last signature, made over the
// whole file (nothing appended or removed after it), by exactly one signer
// whose certificate chains to the seal anchors and is the one the
// Transfervermerk names, with its signature timestamp.
func (c *docCheck) pdfSeal() {
	if !c.ourPDF || c.m.pdf == nil {
		return
	}
	data := c.m.pdf
	sigs, err := pdfSignatures(data)
	if err != nil {
		c.rep.add("seal", Fail, "Signaturen nicht lesbar: %v", "signatures unreadable: %v", err)
		return
	}
	if len(sigs) == 0 {
		return // requirements says whether one was needed
	}
	last := sigs[len(sigs)-1]
	c.checkSeal("seal", last.contents, last.signed)
	if end := last.br[2] + last.br[3]; last.br[0] != 0 || end != int64(len(data)) {
		c.rep.add("seal-coverage", Fail, "das Siegel deckt nicht die ganze Datei ab: %d Bytes nach dem Siegel angehängt oder entfernt",
			"the seal does not cover the whole file: %d bytes appended or removed after the seal", int64(len(data))-end)
		c.sealed = false
	} else {
		c.rep.add("seal-coverage", OK, "Siegel deckt die ganze Datei ab", "seal covers the whole file")
	}
}

// checkSeal verifies one seal (CMS) over content and adds the checks name
// and name-timestamp. A valid, trusted seal by the certificate the
// Transfervermerk names authenticates the material.
func (c *docCheck) checkSeal(name string, sig, content []byte) bool {
	info, sp, tp := verifySeal(sig, content, c.v.seal, c.v.tsa)
	ok := c.sealCheck(name, info, sp)
	if info != nil && info.Timestamp != nil || tp != nil {
		c.stamped = true
		if tp != nil {
			c.rep.addProblem(name+"-timestamp", tp, "Zeitstempel des Siegels: ", "seal timestamp: ")
		} else {
			c.rep.add(name+"-timestamp", OK, "Zeitstempel gültig: %s (%s)", "timestamp valid: %s (%s)",
				info.Timestamp.Time.UTC().Format("2006-01-02 15:04:05Z"), info.Timestamp.TSA.Subject.String())
		}
	}
	if !ok {
		return false
	}
	if name == "seal" {
		c.sealed = true
	} else {
		c.sealedDetached = true
	}
	return true
}

// sealCheck adds the check of the seal itself: broken, not verifiable, or
// valid by the certificate the Transfervermerk names.
func (c *docCheck) sealCheck(name string, info *SealInfo, sp *problem) bool {
	if sp != nil {
		c.rep.addProblem(name, sp, "", "")
		return false
	}
	subj := info.Signer.Subject.String()
	if want := c.tv.Integritaet.Zertifikat; want != "" && want != subj {
		c.rep.add(name, Fail, "gesiegelt von %s, der Transfervermerk nennt %s", "sealed by %s, the Transfervermerk names %s", subj, want)
		return false
	}
	c.rep.add(name, OK, "Siegel gültig, Zertifikat %s vertrauenswürdig (geprüft zum %s)", "seal valid, certificate %s trusted (checked at %s)",
		subj, info.At.UTC().Format("2006-01-02 15:04:05Z"))
	return true
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

// detached checks the detached seal of the Transfervermerk and the
// timestamps beside the product.
func (c *docCheck) detached() {
	sig, err := readOptional(filepath.Join(c.m.dir, mailroom.FileDetachedSeal))
	switch {
	case err != nil:
		c.rep.add("seal-detached", Fail, "%s nicht lesbar: %v", "%s unreadable: %v", mailroom.FileDetachedSeal, err)
	case sig == nil:
	case c.beside == nil:
		c.rep.add("seal-detached", Fail, "%s ohne %s", "%s without %s", mailroom.FileDetachedSeal, FileName)
	default:
		c.checkSeal("seal-detached", sig, c.beside)
	}
	for _, x := range []struct {
		file, name string
		data       []byte
	}{{mailroom.FileDetachedStamp, "timestamp-transfervermerk", c.beside}, {mailroom.FileDocumentStamp, "timestamp-pdf", c.m.pdf}} {
		tok, err := readOptional(filepath.Join(c.m.dir, x.file))
		if err != nil {
			c.rep.add(x.name, Fail, "%s nicht lesbar: %v", "%s unreadable: %v", x.file, err)
			continue
		}
		if tok == nil {
			continue
		}
		c.stamped = true
		info, p := verifyToken(tok, x.data, c.v.tsa)
		if p != nil {
			c.rep.addProblem(x.name, p, "Zeitstempel "+x.file+": ", "timestamp "+x.file+": ")
			continue
		}
		c.rep.add(x.name, OK, "Zeitstempel %s gültig: %s (%s)", "timestamp %s valid: %s (%s)", x.file,
			info.Time.UTC().Format(time.RFC3339), info.TSA.Subject.String())
	}
}
