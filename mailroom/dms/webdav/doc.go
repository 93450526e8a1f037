// Package webdav delivers documents to a WebDAV collection (RFC 4918):
// MKCOL makes one collection per document (named by its UUID) below the
// configured folder, PUT uploads the document, the evidence files and the
// metadata sidecars index.xml and index.json — index.json last, so its
// presence marks a complete delivery. Before uploading, the connector asks
// the server (HEAD on index.json, HEAD on the document with its size), so a
// delivery repeated after a crash neither duplicates nor re-sends what is
// there. PUT to the same URL replaces, never adds: WebDAV cannot make a
// second copy of a document.
package webdav
