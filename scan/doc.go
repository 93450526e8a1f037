// Package scan is Poststelle's paper side: the hot-folder source (fsnotify
// plus polling plus a periodic rescan), input decoding into pages (go-fitz /
// MuPDF for PDF; TIFF, JPEG, PNG), page analysis on derived images (blank
// pages, orientation, deskew) and the searchable PDF/A writer.
package scan
