package dms

import (
	"bytes"
	"encoding/json"
	"fmt"

	"poststelle/mailroom"
)

// Sidecar file names of the folder and WebDAV targets; index.json is
// written last and marks a finished delivery.
const (
	SidecarJSON = "index.json"
	SidecarXML  = "index.xml"
)

// NewSidecar describes doc, delivered as name (size bytes) together with
// files, its metadata renamed by mapping (see Rename).
func NewSidecar(doc mailroom.ExportDoc, name string, size int64, files []string, mapping map[string]string) Sidecar {
	return Sidecar{Version: 1, DocumentID: doc.ID, Filename: name, SHA256: doc.SHA256, Size: size, Files: files,
		Metadata: Rename(doc.Metadata, mapping)}
}

// Encode returns the contents of index.xml and index.json (indented, with a
// final newline).
func (s *Sidecar) Encode() (xmlData, jsonData []byte, err error) {
	var xb bytes.Buffer
	if err := s.WriteXML(&xb); err != nil {
		return nil, nil, err
	}
	jb, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return xb.Bytes(), append(jb, '\n'), nil
}

// ExtraName is the file name under which the extra file n (a key of
// ExportDoc.Files) is stored beside the document file name. A name that is
// empty once made safe, or that clashes with the document or a sidecar, is a
// permanent error named after the connector ("folder", "webdav").
func ExtraName(connector, n, name string) (string, error) {
	fn := SafeName(n)
	if fn == "" || fn == name || fn == SidecarJSON || fn == SidecarXML {
		return "", mailroom.Permanent(fmt.Errorf("%s: file name %q clashes", connector, n))
	}
	return fn, nil
}
