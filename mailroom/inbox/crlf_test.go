package inbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// TestParseCorpusCRLF: IMAP servers deliver CRLF line ends; the result must
// be the same as for the LF files on disk.
func TestParseCorpusCRLF(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testcorpus.Path(t, "eml"), "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		crlf := bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		a, b := Parse(raw, nil), Parse(crlf, nil)
		var na, nb []string
		for _, x := range a.Attachments {
			na = append(na, x.Filename)
		}
		for _, x := range b.Attachments {
			nb = append(nb, x.Filename)
		}
		if len(na) != len(nb) {
			t.Errorf("%s: LF attachments %q, CRLF %q (warnings %q)", filepath.Base(f), na, nb, b.Warnings)
		}
	}
}
