package inbox

import (
	"strings"

	"poststelle/mailroom/signature"
)

// signed handles multipart/signed (RFC 1847): S/MIME signatures are checked,
// PGP signatures recorded; the signed content is parsed as usual.
func (p *parser) signed(body []byte, off int, params map[string]string, depth int) {
	parts, _ := splitMultipart(body, params["boundary"])
	if len(parts) == 0 {
		p.unreadable("signierte Nachricht ohne Teile / signed message without parts")
		p.text(body, "text/plain", "", "")
		return
	}
	proto := strings.ToLower(params["protocol"])
	if proto == "" && len(parts) >= 2 {
		// No protocol parameter: go by the signature part's own type.
		sh := readHeader(parts[1].b, p.lim).h
		proto, _, _ = parseParams(sh.Get("Content-Type"))
	}
	switch {
	case len(parts) >= 2 && strings.Contains(proto, "pkcs7-signature"):
		sb := readHeader(parts[1].b, p.lim)
		cte := strings.ToLower(strings.TrimSpace(sb.h.Get("Content-Transfer-Encoding")))
		der := signature.DecodeP7(p.decode(parts[1].b[sb.bodyOff:], cte, "smime.p7s"))
		if p.verifier != nil {
			p.m.Signatures = append(p.m.Signatures, p.verifier.VerifyDetached("smime", signature.Canonical(parts[0].b), der).CheckSender(p.m.From))
		}
	case strings.Contains(proto, "pgp-signature"):
		p.m.Signatures = append(p.m.Signatures, signature.Result{Kind: "pgp",
			Problem: "PGP-Signatur nicht geprüft (kein Schlüsselbund) / PGP signature not checked (no keyring)"})
	default:
		p.warn("unbekanntes Signaturprotokoll / unknown signature protocol %q", proto)
	}
	p.inSigned++
	p.part(parts[0].b, at(off, parts[0].off), depth+1)
	p.inSigned--
	for _, extra := range parts[min(2, len(parts)):] {
		p.part(extra.b, at(off, extra.off), depth+1)
	}
}

// opaque handles application/pkcs7-mime: signed-data is checked and its
// content parsed; enveloped-data marks the message as encrypted.
func (p *parser) opaque(body []byte, cte string, params map[string]string, name, disp string, depth int) {
	der := signature.DecodeP7(p.decode(body, cte, name))
	switch signature.ContentType(der) {
	case "encrypted":
		p.m.Encrypted = true
		return
	case "signed":
		if p.verifier == nil {
			break
		}
		r, content := p.verifier.VerifyAttached("smime", der)
		p.m.Signatures = append(p.m.Signatures, r.CheckSender(p.m.From))
		if content != nil {
			// The signed content is not in the mail's bytes as such (it
			// is inside the DER blob): its parts have no offset.
			p.part(content, -1, depth+1)
			return
		}
	}
	if strings.ToLower(params["smime-type"]) == "enveloped-data" {
		p.m.Encrypted = true
		return
	}
	p.warn("S/MIME-Teil nicht lesbar / unreadable S/MIME part: als Anhang übernommen / kept as attachment")
	if name == "" {
		name = "smime.p7m"
	}
	p.attach(name, "application/pkcs7-mime", der, disp == "inline", false, Attachment{start: -1, end: -1})
}
