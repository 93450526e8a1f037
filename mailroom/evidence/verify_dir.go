package evidence

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"poststelle/mailroom"
)

// maxFolderEntries bounds the entries read from a folder of document folders.
const maxFolderEntries = 1 << 20

// DocumentPaths returns the material path stands for: path itself when it
// is a file or a document folder (it holds a Transfervermerk, a
// document.pdf, metadata.json or a delivery sidecar), else every entry of
// the folder (a folder target, out/): each sub-folder and each file,
// hidden and temporary ones left out, so that every one is checked and
// the ones without evidence (or that cannot be read) are named.
func DocumentPaths(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() || isDocumentFolder(path) {
		return []string{path}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ents, err := f.ReadDir(maxFolderEntries)
	if err != nil && len(ents) == 0 {
		return []string{path}, nil // an empty folder: checked (and found without evidence) itself
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "~") || strings.HasSuffix(n, ".tmp") {
			continue
		}
		// Every other entry is checked too (a link is followed; anything
		// else is named as not checkable), so none is passed over.
		out = append(out, filepath.Join(path, n))
	}
	if len(out) == 0 {
		return []string{path}, nil
	}
	sort.Strings(out)
	return out, nil
}

func isDocumentFolder(dir string) bool {
	for _, n := range []string{FileName, mailroom.FileDocument, mailroom.FileMetadata, "index.json"} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// Unchecked is the report of material that could not be read at all: not
// verifiable, with the reason.
func Unchecked(path string, err error) *Report {
	rep := &Report{Path: path}
	rep.add("read", Unverifiable, "konnte nicht geprüft werden: %v", "could not be checked: %v", err)
	rep.finish()
	return rep
}

// Worst is the worst outcome of reports (Intact for none).
func Worst(reports []*Report) Outcome {
	out := Intact
	for _, r := range reports {
		out = out.Worse(r.Result)
	}
	return out
}
