package mailroom

import "path/filepath"

// Names of the files in a document folder (out/<document-id>/). Every part
// that writes or reads them uses these names.
const (
	FileDocument         = "document.pdf"            // the searchable PDF/A (or the rendition of a document of record)
	FileMetadata         = "metadata.json"           // DocumentMetadata
	FileTransfervermerk  = "transfervermerk.xml"     // TR-RESISCAN A.NB.4
	FileDetachedSeal     = "transfervermerk.xml.p7s" // detached CMS seal over the Transfervermerk (no PDF to seal)
	FileDetachedStamp    = "transfervermerk.xml.tsr" // RFC 3161 token over the Transfervermerk
	FileDocumentStamp    = "document.pdf.tsr"        // RFC 3161 token over document.pdf (TSA, no seal)
	FileBatchSeal        = "batchseal.json"          // the batch seal with this document's inclusion proof
	FileMailRendition    = "mail.pdf"                // readable PDF of a mail
	FileInvoiceRendition = "rechnung.pdf"            // readable PDF of an XML e-invoice
	FileInvoiceReport    = "pruefbericht.pdf"        // the e-invoice validation report (Prüfbericht)
	FileSignedRendition  = "inhalt.pdf"              // readable content of a .p7m container
	FileRendition        = "rendition.pdf"           // readable rendition beside a kept original PDF
	// The unchanged copy of a document of record is "original" plus the
	// extension of its media type: see RecordFileName.
	fileRecordBase = "original"
)

// Layout is the data directory's layout. All paths are derived here:
//
//	poststelle.db                 the SQLite store
//	originals/ab/cd/<sha256>      every input exactly as received, read-only
//	originals/tmp/                intake in progress
//	work/<document-id>/           scratch space, safe to delete when idle
//	out/<document-id>/<File…>     a document's outputs and evidence
type Layout struct{ Root string }

// DB is the path of the SQLite database.
func (l Layout) DB() string { return filepath.Join(l.Root, "poststelle.db") }

// OriginalsDir is the root of the content-addressed originals.
func (l Layout) OriginalsDir() string { return filepath.Join(l.Root, "originals") }

// OriginalsTemp is where intake writes an original before it is renamed.
func (l Layout) OriginalsTemp() string { return filepath.Join(l.Root, "originals", "tmp") }

// Original is where the original with the given SHA-256 (hex) lives.
func (l Layout) Original(sum string) string {
	if len(sum) < 4 {
		return filepath.Join(l.Root, "originals", sum)
	}
	return filepath.Join(l.Root, "originals", sum[:2], sum[2:4], sum)
}

// OutDir is the root of the document folders.
func (l Layout) OutDir() string { return filepath.Join(l.Root, "out") }

// Out is the document folder of a document.
func (l Layout) Out(id string) string { return filepath.Join(l.Root, "out", id) }

// OutFile is a file in a document's folder (one of the File… names).
func (l Layout) OutFile(id, name string) string { return filepath.Join(l.Root, "out", id, name) }

// WorkDir is the root of the scratch space.
func (l Layout) WorkDir() string { return filepath.Join(l.Root, "work") }

// Work is a document's (or a named component's) scratch folder.
func (l Layout) Work(id string) string { return filepath.Join(l.Root, "work", id) }

// RecordFileName is the name of the unchanged copy of an original that is
// the document of record, in out/<id>/.
func RecordFileName(mediaType string) string {
	ext := map[string]string{MediaPDF: ".pdf", MediaXML: ".xml", MediaEML: ".eml", MediaPKCS7: ".p7m",
		MediaTIFF: ".tif", MediaJPEG: ".jpg", MediaPNG: ".png"}[mediaType]
	if ext == "" {
		ext = ".bin"
	}
	return fileRecordBase + ext
}
