package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"poststelle/mailroom"
)

// DocSource is what ExportDocFor reads.
type DocSource interface {
	Document(ctx context.Context, id string) (*mailroom.Document, error)
	Batch(ctx context.Context, id string) (*mailroom.Batch, error)
	OriginalPath(sha256 string) string
	DataDir() string
}

// ExportDocFor assembles what a connector delivers for document id: the PDF
// (the document's output, out/<id>/document.pdf, or — for documents without
// a PDF — the stored original under the batch's file name; where the
// original is the document of record, its unchanged copy), its SHA-256, the
// metadata with the document's identity, and the further files of out/<id>/
// (transfervermerk.xml, metadata.json, seals, the e-invoice Prüfbericht). A
// missing document file, or a missing Prüfbericht that the metadata names
// (einvoice_report), is permanent: an operator must look.
func ExportDocFor(ctx context.Context, st DocSource, id string) (mailroom.ExportDoc, error) {
	d, err := st.Document(ctx, id)
	if err != nil {
		return mailroom.ExportDoc{}, err
	}
	b, err := st.Batch(ctx, d.BatchID)
	if err != nil {
		return mailroom.ExportDoc{}, err
	}
	outDir := mailroom.Layout{Root: st.DataDir()}.Out(d.ID)
	main, name := mainFile(st, d, b, outDir)
	sum, err := hashFile(main)
	if err != nil {
		return mailroom.ExportDoc{}, mailroom.Permanent(fmt.Errorf("Dokumentdatei fehlt / document file missing: %w", err))
	}
	files, err := furtherFiles(outDir, main)
	if err != nil {
		return mailroom.ExportDoc{}, err
	}
	if rep := d.Metadata["einvoice_report"]; rep != "" && files[rep] == "" {
		return mailroom.ExportDoc{}, mailroom.Permanent(fmt.Errorf("Prüfbericht fehlt / validation report missing: %s", rep))
	}
	return mailroom.ExportDoc{ID: d.ID, Filename: name, PDF: main, SHA256: sum, Metadata: exportMetadata(d, b), Files: files}, nil
}

// mainFile picks the file delivered as the document and its name in the DMS.
func mainFile(st DocSource, d *mailroom.Document, b *mailroom.Batch, outDir string) (path, name string) {
	path = d.Output
	if rf := d.Metadata[mailroom.MetaRecordFile]; d.Metadata[mailroom.MetaRecord] == "original" && rf != "" &&
		filepath.Base(rf) == rf && exists(filepath.Join(outDir, rf)) {
		// The original is the document of record (signed PDF, e-invoice,
		// mail): deliver it unchanged under its own name; the rendition
		// goes along as a further file.
		path = filepath.Join(outDir, rf)
	}
	if path == "" {
		if p := filepath.Join(outDir, mailroom.FileDocument); exists(p) {
			path = p
		}
	}
	stem := strings.TrimSuffix(b.Filename, filepath.Ext(b.Filename))
	if stem == "" {
		stem = "Dokument"
	}
	if d.Seq > 1 {
		stem += "-" + strconv.Itoa(d.Seq)
	}
	if path == "" {
		// No PDF: the stored original under the batch's file name.
		if d.Seq > 1 {
			return st.OriginalPath(b.SHA256), stem + filepath.Ext(b.Filename)
		}
		return st.OriginalPath(b.SHA256), b.Filename
	}
	ext := filepath.Ext(path)
	if strings.HasPrefix(filepath.Base(path), "original.") {
		if e := filepath.Ext(b.Filename); e != "" {
			ext = e // keep the sender's extension (.xml, .eml, .p7m …)
		}
	}
	if ext == "" {
		ext = ".pdf"
	}
	return path, stem + ext
}

// exportMetadata is the document's metadata with its identity added.
func exportMetadata(d *mailroom.Document, b *mailroom.Batch) map[string]string {
	meta := map[string]string{}
	for k, v := range d.Metadata {
		meta[k] = v
	}
	meta["document_id"] = d.ID
	meta["batch_id"] = b.ID
	meta["source"] = b.Source
	meta["original_filename"] = b.Filename
	meta["original_sha256"] = b.SHA256
	meta["received_at"] = b.ReceivedAt.UTC().Format("2006-01-02T15:04:05Z")
	meta["protection"] = string(d.Protection)
	meta["pages"] = strconv.Itoa(len(d.Pages))
	if len(d.Flags) > 0 {
		meta["flags"] = strings.Join(d.Flags, ",")
	}
	return meta
}

// furtherFiles are the regular files of the document folder besides the
// main file (hidden and temporary files left out).
func furtherFiles(outDir, main string) (map[string]string, error) {
	files := map[string]string{}
	ents, err := os.ReadDir(outDir)
	if errors.Is(err, os.ErrNotExist) {
		return files, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		n := e.Name()
		p := filepath.Join(outDir, n)
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || p == main {
			continue
		}
		files[n] = p
	}
	return files, nil
}

func exists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
