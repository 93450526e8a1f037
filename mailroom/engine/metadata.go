package engine

import (
	"encoding/json"
	"path/filepath"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// writeMetadataJSON writes the document folder's metadata.json: the
// document's own metadata, completed (never overwritten) by what
// recognition found.
func writeMetadataJSON(dir string, d *mailroom.Document, b *mailroom.Batch, meta map[string]string, flags []string, pages []mailroom.PageResult, keep bool) error {
	all := map[string]string{}
	for k, v := range d.Metadata {
		all[k] = v
	}
	for k, v := range meta {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	m := mailroom.DocumentMetadata{Version: 1, DocumentID: d.ID, BatchID: b.ID, Source: b.Source, Filename: b.Filename,
		SHA256: b.SHA256, Pages: d.Pages, Metadata: all, Flags: append(append([]string{}, d.Flags...), flags...),
		PageResults: pages, KeepOriginal: keep, Written: time.Now().UTC()}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return safefile.Write(filepath.Join(dir, mailroom.FileMetadata), data, 0o640)
}
