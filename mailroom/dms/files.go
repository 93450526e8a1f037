package dms

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path"
	"strings"
)

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Sums returns the SHA-256 and MD5 (Paperless-ngx' checksum) of a file,
// read as a stream.
func Sums(p string) (sha, md string, size int64, err error) {
	f, err := os.Open(p)
	if err != nil {
		return "", "", 0, err
	}
	defer f.Close()
	hs, hm := sha256.New(), md5.New()
	size, err = io.Copy(io.MultiWriter(hs, hm), f)
	if err != nil {
		return "", "", 0, err
	}
	return hex.EncodeToString(hs.Sum(nil)), hex.EncodeToString(hm.Sum(nil)), size, nil
}

// ObjectName is the name of a document in a DMS folder: the suggested file
// name with the document UUID before the extension, so it is unique and the
// idempotency check can look it up ("Rechnung_<uuid>.pdf").
func ObjectName(doc string, filename string) string {
	base := SafeName(filename)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if ext == "" {
		ext = ".pdf"
	}
	if stem == "" {
		return doc + ext
	}
	return stem + "_" + doc + ext
}

// SafeName removes path separators and control characters from a file name.
func SafeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if len(s) > 120 {
		ext := path.Ext(s)
		if len(ext) > 10 {
			ext = ""
		}
		s = s[:120-len(ext)] + ext
	}
	return s
}
