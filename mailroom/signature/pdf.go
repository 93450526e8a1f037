package signature

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"

	"poststelle/mailroom/pdf"
)

var reByteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// VerifyPDF checks the signatures of a signed PDF. found is false for
// unsigned PDFs. The last signature's result is returned; Valid only if all
// signatures are valid and the last one covers the whole file: bytes after
// the signed range of the last revision (an incremental update, or anything
// appended) mean the document was changed after signing, which is reported
// as such ("nach der Signatur geändert") with CoversFile false.
//
// The signatures are the form fields' signature values read with
// mailroom/pdf; a file that reader cannot parse is scanned for /ByteRange
// arrays instead, so a damaged signed PDF is still reported as signed.
func (v *Verifier) VerifyPDF(data []byte) (res Result, found bool) {
	ranges := pdfByteRanges(data)
	if len(ranges) == 0 {
		return Result{}, false
	}
	allValid, allTrusted := true, true
	var end int64
	for _, br := range ranges {
		r := v.verifyRange(data, br)
		allValid = allValid && r.Valid
		allTrusted = allTrusted && r.Trusted
		if e := br[2] + br[3]; e >= end {
			end, res = e, r
		}
	}
	res.Valid, res.Trusted, res.CoversFile = allValid, allTrusted, true
	if len(ranges) > 1 && res.Problem == "" && !allValid {
		res.Problem = "mindestens eine Signatur ungültig / at least one signature invalid"
	}
	if n := unsignedTail(data, end); n > 0 {
		res.Valid, res.CoversFile = false, false
		res.Problem = fmt.Sprintf("nach der Signatur geändert: %d Bytes nach dem signierten Bereich / changed after signing: %d bytes after the signed range", n, n)
	}
	return res, true
}

// unsignedTail returns how many bytes after end are more than trailing
// white space (what some writers leave after the last %%EOF).
func unsignedTail(data []byte, end int64) int64 {
	if end >= int64(len(data)) || end < 0 {
		return 0
	}
	rest := bytes.TrimRight(data[end:], " \t\r\n\x00")
	return int64(len(rest))
}

// pdfByteRanges returns the /ByteRange of every signature: the form
// fields' signatures when mailroom/pdf can read the file, else every
// /ByteRange array found in the bytes.
func pdfByteRanges(data []byte) [][4]int64 {
	if r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		if sigs, err := r.Signatures(); err == nil && len(sigs) > 0 {
			out := make([][4]int64, len(sigs))
			for i, s := range sigs {
				out[i] = s.ByteRange
			}
			return out
		}
	}
	var out [][4]int64
	for _, loc := range reByteRange.FindAllSubmatchIndex(data, -1) {
		var n [4]int64
		for i := range n {
			x, err := strconv.ParseInt(string(data[loc[2+2*i]:loc[3+2*i]]), 10, 64)
			if err != nil {
				x = -1
			}
			n[i] = x
		}
		out = append(out, n)
	}
	return out
}

// verifyRange checks one signature: the byte range must start at the
// beginning of the file and leave out exactly the /Contents hex string,
// which holds the detached CMS signature over the two ranges.
func (v *Verifier) verifyRange(data []byte, n [4]int64) Result {
	r := Result{Kind: "pdf", Checked: true}
	size := int64(len(data))
	if n[0] != 0 || n[1] < 0 || n[2] < 0 || n[3] < 0 || n[1] > n[2] || n[2] > size || n[3] > size-n[2] {
		r.Problem = "Signaturbereich ungültig / invalid signature byte range"
		return r
	}
	der, ok := gapSignature(data[n[1]:n[2]])
	if !ok {
		r.Problem = "Signaturinhalt fehlt oder die Lücke im signierten Bereich enthält mehr als die Signatur / " +
			"signature contents missing, or the gap in the signed range holds more than the signature"
		return r
	}
	signed := append(append([]byte{}, data[n[0]:n[0]+n[1]]...), data[n[2]:n[2]+n[3]]...)
	return v.VerifyDetached("pdf", signed, der)
}

// gapSignature decodes the bytes a signature leaves out of its range: the
// /Contents hex string, with or without its angle brackets. Anything else
// in the gap (a second object, text) is refused: it would be unsigned.
func gapSignature(gap []byte) ([]byte, bool) {
	g := bytes.TrimSpace(gap)
	if bytes.HasPrefix(g, []byte("<")) && bytes.HasSuffix(g, []byte(">")) {
		g = g[1 : len(g)-1]
	}
	for _, c := range g {
		if !isHex(c) && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return nil, false
		}
	}
	der, err := hex.DecodeString(string(bytes.Join(bytes.Fields(g), nil)))
	if err != nil || len(der) == 0 {
		return nil, false
	}
	return trimDER(der), true
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
