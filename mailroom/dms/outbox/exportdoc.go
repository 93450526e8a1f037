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

// MainFile is the name of the document PDF in out/<id>/.
const MainFile = "document.pdf"

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
	outDir := filepath.Join(st.DataDir(), "out", d.ID)
	pdf, name := d.Output, ""
	if rf := d.Metadata[mailroom.MetaRecordFile]; d.Metadata[mailroom.MetaRecord] == "original" && rf != "" &&
		filepath.Base(rf) == rf && exists(filepath.Join(outDir, rf)) {
		// The original is the document of record (signed PDF, e-invoice,
		// mail): deliver it unchanged under its own name; the rendition
		// goes along as a further file.
		pdf = filepath.Join(outDir, rf)
	}
	if pdf == "" {
		if p := filepath.Join(outDir, MainFile); exists(p) {
			pdf = p
		}
	}
	stem := strings.TrimSuffix(b.Filename, filepath.Ext(b.Filename))
	if stem == "" {
		stem = "Dokument"
	}
	if d.Seq > 1 {
		stem += "-" + strconv.Itoa(d.Seq)
	}
	if pdf != "" {
		ext := filepath.Ext(pdf)
		if strings.HasPrefix(filepath.Base(pdf), "original.") {
			if e := filepath.Ext(b.Filename); e != "" {
				ext = e // keep the sender's extension (.xml, .eml, .p7m …)
			}
		}
		if ext == "" {
			ext = ".pdf"
		}
		name = stem + ext
	} else {
		pdf = st.OriginalPath(b.SHA256)
		name = b.Filename
		if d.Seq > 1 {
			name = stem + filepath.Ext(b.Filename)
		}
	}
	sum, err := hashFile(pdf)
	if err != nil {
		return mailroom.ExportDoc{}, mailroom.Permanent(fmt.Errorf("Dokumentdatei fehlt / document file missing: %w", err))
	}
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
	files := map[string]string{}
	if ents, err := os.ReadDir(outDir); err == nil {
		for _, e := range ents {
			n := e.Name()
			p := filepath.Join(outDir, n)
			if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || p == pdf {
				continue
			}
			files[n] = p
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return mailroom.ExportDoc{}, err
	}
	if rep := meta["einvoice_report"]; rep != "" && files[rep] == "" {
		return mailroom.ExportDoc{}, mailroom.Permanent(fmt.Errorf("Prüfbericht fehlt / validation report missing: %s", rep))
	}
	return mailroom.ExportDoc{ID: d.ID, Filename: name, PDF: pdf, SHA256: sum, Metadata: meta, Files: files}, nil
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
