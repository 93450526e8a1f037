package mailroom

import (
	"bytes"
	"path/filepath"
	"strings"
)

// Media types Poststelle knows.
const (
	MediaPDF     = "application/pdf"
	MediaTIFF    = "image/tiff"
	MediaJPEG    = "image/jpeg"
	MediaPNG     = "image/png"
	MediaXML     = "application/xml"
	MediaEML     = "message/rfc822"
	MediaPKCS7   = "application/pkcs7-mime"
	MediaUnknown = "application/octet-stream"
)

// SniffMediaType decides the media type from the first bytes of a file and,
// where the content does not tell, from its name.
func SniffMediaType(head []byte, name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	h := head
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return MediaPDF
	case bytes.HasPrefix(h, []byte("II*\x00")), bytes.HasPrefix(h, []byte("MM\x00*")):
		return MediaTIFF
	case bytes.HasPrefix(h, []byte("\xff\xd8\xff")):
		return MediaJPEG
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return MediaPNG
	}
	// A PDF may carry junk before its header (within the first KiB).
	if i := bytes.Index(h, []byte("%PDF-")); i >= 0 && i < 1024 {
		return MediaPDF
	}
	switch ext {
	case ".pdf":
		return MediaPDF // damaged PDF: let the decoder give the reason
	case ".tif", ".tiff":
		return MediaTIFF
	case ".jpg", ".jpeg":
		return MediaJPEG
	case ".png":
		return MediaPNG
	case ".eml":
		return MediaEML
	case ".xml":
		return MediaXML
	case ".p7m":
		return MediaPKCS7
	}
	t := bytes.TrimLeft(h, "\xef\xbb\xbf \t\r\n")
	if bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<")) && bytes.Contains(t, []byte("Invoice")) {
		return MediaXML
	}
	if looksLikeMail(h) {
		return MediaEML
	}
	return MediaUnknown
}

func looksLikeMail(h []byte) bool {
	hl := bytes.ToLower(h)
	n := 0
	for _, k := range []string{"\nfrom:", "\nto:", "\nsubject:", "\nmime-version:", "\nmessage-id:", "\ndate:", "\nreceived:"} {
		if bytes.Contains(append([]byte("\n"), hl...), []byte(k)) {
			n++
		}
	}
	return n >= 2
}
