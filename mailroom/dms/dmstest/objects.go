package dmstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom/dms"
)

// SidecarObjects lists the documents below dir that folder and WebDAV
// targets write: every index.json names its document file.
func SidecarObjects(t testing.TB, dir string) []Object {
	var out []Object
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.json" {
			return nil
		}
		var sc dms.Sidecar
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &sc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		doc := filepath.Join(filepath.Dir(p), sc.Filename)
		f, err := os.Open(doc)
		if err != nil {
			t.Fatalf("%s names %s: %v", p, sc.Filename, err)
		}
		defer f.Close()
		h := sha256.New()
		n, _ := io.Copy(h, f)
		out = append(out, Object{Name: doc, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n})
		return nil
	})
	return out
}
