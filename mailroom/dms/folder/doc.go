// Package folder delivers documents to a local or mounted folder — the
// embedded default target. Each document becomes one sub-folder named by its
// UUID, holding the document file, index.json and index.xml (its metadata,
// mapped) and the evidence files (transfervermerk.xml, metadata.json). The
// sub-folder is written under a temporary name, fsync'ed and renamed, so a
// DMS import watching the folder never sees a half-written document, and a
// repeated export after a crash finds the finished folder instead of writing
// a second one.
package folder
