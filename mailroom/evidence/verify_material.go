package evidence

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"poststelle/mailroom"
)

// Bounds of what verify reads: a document file, and every other file of a
// document folder (Transfervermerk, seals, timestamps, sidecars, proofs).
const (
	maxVerifyDocument = 1 << 30
	maxVerifySmall    = 16 << 20
)

// readLimited reads a regular file of at most limit bytes; a larger one is
// an error (verify never reads unbounded input).
func readLimited(path string, limit int64) ([]byte, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: keine reguläre Datei / not a regular file", path) // a FIFO would block
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: keine reguläre Datei / not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: größer als %d Bytes / larger than %d bytes", path, limit, limit)
	}
	return data, nil
}

// readOptional reads a small file of a document folder; nil, nil when it
// does not exist.
func readOptional(path string) ([]byte, error) {
	data, err := readLimited(path, maxVerifySmall)
	if os.IsNotExist(err) {
		return nil, nil
	}
	return data, err
}

// material is what Verify found to check.
type material struct {
	path   string
	dir    string // the document folder (or the PDF's folder)
	isDir  bool
	pdf    []byte // the PDF found (the file given, document.pdf, the sidecar's file, the folder's only PDF)
	beside []byte // transfervermerk.xml in dir; nil if none
	// sidecar is the folder target's index.json (nil if none): it names
	// the delivered file and the journal head at export.
	sidecar *sidecarInfo
}

// sidecarInfo is what verify reads of a folder target's index.json.
type sidecarInfo struct {
	DocumentID string            `json:"document_id"`
	Filename   string            `json:"filename"`
	Metadata   map[string]string `json:"metadata"`
}

// locate reads the material of path: a file (taken as a PDF), or a
// document folder with its Transfervermerk, sidecar and PDF.
func locate(path string) (material, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return material{}, err
	}
	m := material{path: path, dir: path, isDir: fi.IsDir()}
	if !m.isDir {
		m.dir = filepath.Dir(path)
		if m.pdf, err = readLimited(path, maxVerifyDocument); err != nil {
			return material{}, err
		}
		m.beside, err = readOptional(filepath.Join(m.dir, FileName))
		return m, err
	}
	if m.beside, err = readOptional(filepath.Join(m.dir, FileName)); err != nil {
		return material{}, err
	}
	if b, err := readOptional(filepath.Join(m.dir, "index.json")); err != nil {
		return material{}, err
	} else if b != nil {
		var sc sidecarInfo
		if json.Unmarshal(b, &sc) == nil {
			m.sidecar = &sc
		}
	}
	pdfPath := ""
	if _, err := os.Stat(filepath.Join(m.dir, mailroom.FileDocument)); err == nil {
		pdfPath = filepath.Join(m.dir, mailroom.FileDocument)
	} else if m.sidecar != nil && safeName(m.sidecar.Filename) && filepath.Ext(m.sidecar.Filename) == ".pdf" {
		pdfPath = filepath.Join(m.dir, m.sidecar.Filename)
	} else if g, _ := filepath.Glob(filepath.Join(m.dir, "*.pdf")); len(g) == 1 {
		pdfPath = g[0]
	}
	if pdfPath != "" {
		if m.pdf, err = readLimited(pdfPath, maxVerifyDocument); err != nil && !os.IsNotExist(err) {
			return material{}, err
		}
	}
	return m, nil
}

func safeName(n string) bool { return n != "" && filepath.Base(n) == n && n != "." && n != ".." }

// findFile finds the file a Transfervermerk names (the document of record
// or the original) by its SHA-256 in the folder: the file the sidecar
// names first, else any regular file of the right size (a DMS may have
// renamed it). It returns the file's name and bytes, or "" and nil.
func findFile(m material, want *TVDatei) (string, []byte, error) {
	if !m.isDir {
		if sha(m.pdf) == want.SHA256 {
			return filepath.Base(m.path), m.pdf, nil
		}
		return "", nil, nil
	}
	if m.sidecar != nil && safeName(m.sidecar.Filename) {
		b, err := readLimited(filepath.Join(m.dir, m.sidecar.Filename), maxVerifyDocument)
		if err == nil && sha(b) == want.SHA256 {
			return m.sidecar.Filename, b, nil
		}
		return "", nil, nil // the delivered file is named: no other file stands in for it
	}
	ents, err := os.ReadDir(m.dir)
	if err != nil {
		return "", nil, err
	}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != want.Groesse {
			continue
		}
		b, err := readLimited(filepath.Join(m.dir, e.Name()), maxVerifyDocument)
		if err != nil {
			return "", nil, err
		}
		if sha(b) == want.SHA256 {
			return e.Name(), b, nil
		}
	}
	return "", nil, nil
}

// metadataDocumentID returns the document id in metadata.json ("" if none
// or unreadable) and whether the file exists.
func metadataDocumentID(dir string) (string, bool, error) {
	data, err := readOptional(filepath.Join(dir, mailroom.FileMetadata))
	if err != nil || data == nil {
		return "", false, err
	}
	var m struct {
		DocumentID string `json:"document_id"`
	}
	json.Unmarshal(data, &m)
	return m.DocumentID, true, nil
}
