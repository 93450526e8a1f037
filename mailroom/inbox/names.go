package inbox

import (
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes bounds a file name (most file systems allow 255 bytes).
const MaxNameBytes = 200

// SafeFilename makes a decoded attachment name safe to use as a file name:
// only its last path element is kept (no separators, no traversal), control
// and reserved characters become "_", leading dots and trailing dots/spaces
// are removed, the length is bounded on a UTF-8 boundary. An empty result
// becomes "anhang" plus an extension for the media type.
func SafeFilename(name, mediaType string) string {
	name = toUTF8(name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), r == '\u200e', r == '\u200f', r == '\u202e', r == '\u202d':
			return '_'
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	name = strings.TrimRight(name, ". ")
	if name == "" || name == "_" {
		name = "anhang" + extensionFor(mediaType)
	}
	if len(name) > MaxNameBytes {
		ext := ""
		if i := strings.LastIndex(name, "."); i > 0 && len(name)-i <= 10 {
			name, ext = name[:i], name[i:]
		}
		cut := MaxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	// Windows device names.
	base := strings.ToUpper(strings.SplitN(name, ".", 2)[0])
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "LPT1", "LPT2", "LPT3":
		name = "_" + name
	}
	return name
}

// extensionFor returns a file extension for a media type ("" if unknown).
func extensionFor(mt string) string {
	switch mt {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/tiff":
		return ".tif"
	case "message/rfc822":
		return ".eml"
	case "application/xml", "text/xml":
		return ".xml"
	case "text/plain":
		return ".txt"
	case "application/pkcs7-mime":
		return ".p7m"
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ""
}
