package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
)

// DocSource is what ExportDocFor reads. Journal gives the hashes journaled
// at approval (the document's newest evidence entry) and the journal head
// the delivery carries as an anchor.
type DocSource interface {
	Document(ctx context.Context, id string) (*mailroom.Document, error)
	Batch(ctx context.Context, id string) (*mailroom.Batch, error)
	OriginalPath(sha256 string) string
	DataDir() string
	Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error)
}

// ExportDocFor assembles what a connector delivers for document id: the PDF
// (the document's output, out/<id>/document.pdf, or — for documents without
// a PDF — the stored original under the batch's file name; where the
// original is the document of record, its unchanged copy), its SHA-256, the
// metadata with the document's identity, and the further files of out/<id>/
// (transfervermerk.xml, metadata.json, seals, the e-invoice Prüfbericht). A
// missing document file, or a missing Prüfbericht that the metadata names
// (einvoice_report), is permanent: an operator must look. So is a file that
// differs from the hash journaled at approval (checkApproved): the delivery
// is held with the reason "Dokument nach Freigabe verändert". The metadata
// carries the journal head (evidence.MetaJournalSeq, MetaJournalHash), so
// the DMS holds an anchor of the journal.
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
	if err := checkApproved(ctx, st, d, b, main, sum, files); err != nil {
		return mailroom.ExportDoc{}, err
	}
	meta := exportMetadata(d, b)
	head, err := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if err != nil {
		return mailroom.ExportDoc{}, err
	}
	if len(head) == 1 {
		meta[evidence.MetaJournalSeq] = strconv.FormatInt(head[0].Seq, 10)
		meta[evidence.MetaJournalHash] = head[0].Hash
	}
	return mailroom.ExportDoc{ID: d.ID, Filename: name, PDF: main, SHA256: sum, Metadata: meta, Files: files}, nil
}

// ErrChangedAfterApproval is the reason a delivery is held when a file
// differs from the hash journaled at approval.
var ErrChangedAfterApproval = errors.New("Dokument nach Freigabe verändert / document changed after approval")

// checkApproved compares what is about to be delivered with the hashes
// journaled at approval (the newest evidence entry of the document): the
// document file and transfervermerk.xml. A document approved without
// evidence has no such entry; a document delivered as its stored original
// must still have the original's hash. A mismatch is permanent.
func checkApproved(ctx context.Context, st DocSource, d *mailroom.Document, b *mailroom.Batch, main, sum string, files map[string]string) error {
	changed := func(what, got, want string) error {
		return mailroom.Permanent(fmt.Errorf("%w: %s (SHA-256 %.16s… statt/instead of %.16s…)", ErrChangedAfterApproval, what, got, want))
	}
	if main == st.OriginalPath(b.SHA256) && sum != b.SHA256 {
		return changed(b.Filename, sum, b.SHA256)
	}
	es, err := st.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID, Action: "evidence", Newest: true, Limit: 1})
	if err != nil || len(es) == 0 {
		return err
	}
	var rec evidence.Record
	if err := json.Unmarshal([]byte(es[0].Detail), &rec); err != nil {
		return mailroom.Permanent(fmt.Errorf("Beweis-Eintrag %d unlesbar / evidence entry %d unreadable: %w", es[0].Seq, es[0].Seq, err))
	}
	if rec.PDFSHA256 != "" && sum != rec.PDFSHA256 {
		return changed(filepath.Base(main), sum, rec.PDFSHA256)
	}
	tv := files[mailroom.FileTransfervermerk]
	if tv == "" {
		return mailroom.Permanent(fmt.Errorf("%w: %s fehlt / missing", ErrChangedAfterApproval, mailroom.FileTransfervermerk))
	}
	tvSum, err := hashFile(tv)
	if err != nil {
		return err
	}
	if tvSum != rec.TVSHA256 {
		return changed(mailroom.FileTransfervermerk, tvSum, rec.TVSHA256)
	}
	return nil
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
