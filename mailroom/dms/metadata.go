package dms

import (
	"encoding/xml"
	"io"
	"sort"
)

// Fields returns the document's metadata as sorted key/value pairs.
func Fields(m map[string]string) []Field {
	out := make([]Field, 0, len(m))
	for k, v := range m {
		out = append(out, Field{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Field is one metadata field.
type Field struct {
	Name  string `xml:"name,attr" json:"name"`
	Value string `xml:",chardata" json:"value"`
}

// Rename applies a folder/WebDAV mapping: mapped fields get their DMS name,
// the others keep theirs.
func Rename(m map[string]string, mapping map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if n := mapping[k]; n != "" {
			k = n
		}
		out[k] = v
	}
	return out
}

// Sidecar is the metadata file written beside a delivered document
// (metadata.json / metadata.xml in folder and WebDAV targets).
type Sidecar struct {
	XMLName    xml.Name          `xml:"poststelle-metadata" json:"-"`
	Version    int               `xml:"version,attr" json:"version"`
	DocumentID string            `xml:"document-id" json:"document_id"`
	Filename   string            `xml:"filename" json:"filename"`
	SHA256     string            `xml:"sha256" json:"sha256"`
	Size       int64             `xml:"size" json:"size"`
	Files      []string          `xml:"files>file" json:"files"`
	Metadata   map[string]string `xml:"-" json:"metadata"`
	XMLFields  []Field           `xml:"metadata>field" json:"-"`
}

// WriteXML writes the sidecar as XML.
func (s *Sidecar) WriteXML(w io.Writer) error {
	s.XMLFields = Fields(s.Metadata)
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
