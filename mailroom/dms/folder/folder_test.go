package folder_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/dmstest"
	"poststelle/mailroom/dms/folder"
)

// objects lists the documents in an export folder: the file named in each
// finished sub-folder's index.json.
func objects(t *testing.T, dir string) []dmstest.Object {
	var out []dmstest.Object
	subs, _ := filepath.Glob(filepath.Join(dir, "*", folder.Index))
	for _, idx := range subs {
		var sc dms.Sidecar
		data, err := os.ReadFile(idx)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &sc); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(filepath.Dir(idx), sc.Filename)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, _ := io.Copy(h, f)
		f.Close()
		out = append(out, dmstest.Object{Name: p, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n})
	}
	return out
}

func TestSuite(t *testing.T) {
	dmstest.Run(t, func(t *testing.T) *dmstest.Target {
		dir := filepath.Join(t.TempDir(), "export")
		return &dmstest.Target{
			New: func(t *testing.T, o dmstest.Options) mailroom.Exporter {
				return &folder.Exporter{Target: "ablage", Dir: dir}
			},
			Objects: func(t *testing.T) []dmstest.Object { return objects(t, dir) },
			NoAuth:  true,
		}
	})
}

func TestLayoutAndLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	x := &folder.Exporter{Target: "ablage", Dir: dir, Mapping: map[string]string{"department": "Abteilung"}}
	doc := dmstest.NewDoc(t, t.TempDir(), 2048)
	// What a crashed attempt leaves behind is cleared, never taken as finished.
	os.MkdirAll(filepath.Join(dir, ".tmp-"+doc.ID+"-123"), 0o750)
	os.WriteFile(filepath.Join(dir, ".tmp-"+doc.ID+"-123", "half.pdf"), []byte("%PDF"), 0o640)
	rc, err := x.Export(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, doc.ID)
	for _, f := range []string{"Brief Müller 2024.pdf", "index.json", "index.xml", "transfervermerk.xml"} {
		if _, err := os.Stat(filepath.Join(sub, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}
	if rc.ObjectID != doc.ID || rc.URL == "" {
		t.Errorf("receipt %+v", rc)
	}
	var sc struct {
		XMLName xml.Name `xml:"poststelle-metadata"`
		Fields  []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"metadata>field"`
		SHA string `xml:"sha256"`
	}
	data, _ := os.ReadFile(filepath.Join(sub, "index.xml"))
	if err := xml.Unmarshal(data, &sc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range sc.Fields {
		if f.Name == "Abteilung" && f.Value == "63" {
			found = true
		}
	}
	if !found || sc.SHA != doc.SHA256 {
		t.Errorf("index.xml lacks the mapped field or hash: %s", data)
	}
	// A folder of the same id with other content is an operator matter.
	doc2 := doc
	doc2.SHA256 = "00"
	if _, err := x.Export(context.Background(), doc2); !mailroom.IsPermanent(err) {
		t.Errorf("conflicting content: err = %v, want permanent", err)
	}
}
