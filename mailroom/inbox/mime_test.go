package inbox

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// corpusExpect is what the corpus README lists for each eml file.
var corpusExpect = map[string]struct {
	attachments []string
	text        []string // substrings of the body text
	warn        bool     // a warning is expected
	subject     *string
}{
	"attachment-only-no-disposition.eml": {attachments: []string{"favicon.jpg"}},
	"bad-final-boundary.eml":             {attachments: []string{"foo_9E5D72.zip"}, text: []string{"A text section"}, warn: true},
	"malformed-base64-attach.eml":        {attachments: []string{"some.doc"}, text: []string{"A text section"}, warn: true},
	"mime-bad-8bit-filename.eml":         {attachments: []string{"管理.doc"}, text: []string{"Text part"}},
	"html-mime-inline.eml":               {attachments: []string{"favicon.png"}, text: []string{"Test of text section"}},
	"multipart-wo-boundary.eml":          {text: []string{"multipart message without boundary"}, warn: true, subject: ptr("Delivery Status Notification (Failure)")},
	"erroneous.eml":                      {text: []string{"Not an RFC-822 Document"}, warn: true},
	"missing-content-type.eml":           {text: []string{"A plain text email"}},
	"ctype-bug.eml":                      {text: []string{"Head over to the Quick Start"}},
	"mime-signed.eml":                    {text: []string{"Section one", "Section two"}},
}

func ptr(s string) *string { return &s }

func TestParseCorpus(t *testing.T) {
	dir := testcorpus.Path(t, "eml")
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != len(corpusExpect) {
		t.Errorf("corpus has %d eml files, expectations for %d", len(files), len(corpusExpect))
	}
	for _, f := range files {
		name := filepath.Base(f)
		exp, ok := corpusExpect[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := Parse(raw, nil)
		var got []string
		for _, a := range m.Attachments {
			got = append(got, a.Filename)
			if len(a.Data) == 0 {
				t.Errorf("%s: attachment %s is empty", name, a.Filename)
			}
		}
		if !reflect.DeepEqual(got, exp.attachments) {
			t.Errorf("%s: attachments %q, want %q", name, got, exp.attachments)
		}
		for _, s := range exp.text {
			if !strings.Contains(m.Text, s) {
				t.Errorf("%s: text %q lacks %q", name, m.Text, s)
			}
		}
		if exp.warn != (len(m.Warnings) > 0) {
			t.Errorf("%s: warnings %q, want some: %v", name, m.Warnings, exp.warn)
		}
		if exp.subject != nil && m.Subject != *exp.subject {
			t.Errorf("%s: subject %q, want %q", name, m.Subject, *exp.subject)
		}
		t.Logf("%s: subject=%q from=%q attachments=%q warnings=%q sigs=%d", name, m.Subject, m.From, got, m.Warnings, len(m.Signatures))
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testcorpus.Dir(f), "eml", "*.eml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := Parse(b, nil)
		for _, a := range m.Attachments {
			if strings.ContainsAny(a.Filename, "/\\\x00") || a.Filename == "" || a.Filename == ".." {
				t.Fatalf("unsafe file name %q", a.Filename)
			}
		}
	})
}
