package signature

import (
	"bytes"
	"encoding/hex"
	"regexp"
	"strconv"
)

var (
	reByteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)
	reContents  = regexp.MustCompile(`/Contents\s*<([0-9A-Fa-f\s]+)>`)
)

// VerifyPDF checks the signatures of a signed PDF (every /ByteRange
// signature dictionary). found is false for unsigned PDFs. The last
// signature's result is returned; Valid only if all signatures are valid.
func (v *Verifier) VerifyPDF(pdf []byte) (res Result, found bool) {
	locs := reByteRange.FindAllSubmatchIndex(pdf, -1)
	if len(locs) == 0 {
		return Result{}, false
	}
	allValid, allTrusted := true, true
	for _, loc := range locs {
		var n [4]int64
		ok := true
		for i := range n {
			x, err := strconv.ParseInt(string(pdf[loc[2+2*i]:loc[3+2*i]]), 10, 64)
			if err != nil {
				ok = false
			}
			n[i] = x
		}
		r := Result{Kind: "pdf", Checked: true}
		if !ok || n[0] < 0 || n[1] < 0 || n[2] < 0 || n[3] < 0 || n[0]+n[1] > int64(len(pdf)) || n[2]+n[3] > int64(len(pdf)) || n[1] > n[2] {
			r.Problem = "Signaturbereich ungültig / invalid signature byte range"
			res, found, allValid, allTrusted = r, true, false, false
			continue
		}
		// The /Contents hex string of this signature lies in the gap.
		gap := pdf[n[0]+n[1] : n[2]]
		m := reContents.FindSubmatch(append([]byte("/Contents "), gap...))
		if m == nil {
			r.Problem = "Signaturinhalt fehlt / signature contents missing"
			res, found, allValid, allTrusted = r, true, false, false
			continue
		}
		der, err := hex.DecodeString(string(bytes.Join(bytes.Fields(m[1]), nil)))
		if err != nil {
			r.Problem = "Signaturinhalt nicht lesbar / signature contents unreadable"
			res, found, allValid, allTrusted = r, true, false, false
			continue
		}
		der = trimDER(der)
		signed := append(append([]byte{}, pdf[n[0]:n[0]+n[1]]...), pdf[n[2]:n[2]+n[3]]...)
		r = v.VerifyDetached("pdf", signed, der)
		allValid = allValid && r.Valid
		allTrusted = allTrusted && r.Trusted
		res, found = r, true
	}
	res.Valid, res.Trusted = allValid, allTrusted
	if len(locs) > 1 && res.Problem == "" && !allValid {
		res.Problem = "mindestens eine Signatur ungültig / at least one signature invalid"
	}
	return res, true
}

// trimDER cuts the zero padding PDF writers leave after the DER structure.
func trimDER(b []byte) []byte {
	if len(b) < 4 || b[0] != 0x30 {
		return b
	}
	var l, hdr int
	switch {
	case b[1] < 0x80:
		l, hdr = int(b[1]), 2
	case b[1] == 0x81:
		l, hdr = int(b[2]), 3
	case b[1] == 0x82:
		l, hdr = int(b[2])<<8|int(b[3]), 4
	case b[1] == 0x83 && len(b) > 4:
		l, hdr = int(b[2])<<16|int(b[3])<<8|int(b[4]), 5
	default:
		return b
	}
	if hdr+l <= len(b) {
		return b[:hdr+l]
	}
	return b
}
