package inbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// TestReadHeaderLinear: a header of 400,000 folded lines (2.8 MB, limits
// raised to let it through) is read in well under a second; growing the
// value string per line, as the former lenient parser did, copies about
// 10^12 bytes for it.
func TestReadHeaderLinear(t *testing.T) {
	raw := foldedSubject(400000)
	lim := Limits{HeaderBytes: 8 << 20}.withDefaults()
	start := time.Now()
	hb := readHeader(raw, lim)
	el := time.Since(start)
	if hb.err != nil || len(hb.h.Get("Subject")) != len("lang")+400000*len(" wort") {
		t.Fatalf("err %v, subject of %d bytes", hb.err, len(hb.h.Get("Subject")))
	}
	if el > 2*time.Second {
		t.Errorf("400,000 folded lines took %v", el)
	}
	t.Logf("%d bytes, 400,000 folded lines: %v", len(raw), el)
}

func TestHeaderLimits(t *testing.T) {
	lim := Limits{HeaderBytes: 1000, HeaderLine: 100, HeaderFields: 5}.withDefaults()
	cases := map[string]struct {
		raw, what string
	}{
		"bytes":  {"Subject: s" + strings.Repeat("\r\n 0123456789", 80) + "\r\n\r\n", "bytes"},
		"line":   {"Subject: " + strings.Repeat("x", 200) + "\r\n\r\n", "line"},
		"fields": {strings.Repeat("X-A: b\r\n", 6) + "\r\n", "fields"},
		"ok":     {strings.Repeat("X-A: b\r\n", 5) + "\r\nbody", ""},
	}
	for name, c := range cases {
		hb := readHeader([]byte(c.raw), lim)
		switch {
		case c.what == "" && hb.err != nil:
			t.Errorf("%s: %v", name, hb.err)
		case c.what != "" && (hb.err == nil || hb.err.what != c.what):
			t.Errorf("%s: err %v, want %s", name, hb.err, c.what)
		}
	}
	m := lim.Parse([]byte("Subject: "+strings.Repeat("x", 200)+"\r\n\r\nText"), nil)
	ie, ok := mailroom.AsInputError(m.Rejected)
	if !ok || !strings.Contains(ie.DE, "Kopfzeile der Nachricht zu lang") || !strings.Contains(ie.EN, "header line too long") {
		t.Errorf("rejection %v", m.Rejected)
	}
	// Over a limit inside a part: the part is not read, the mail is flagged.
	part := "--b\r\nContent-Type: text/plain\r\n" + strings.Repeat("X-A: b\r\n", 6) + "\r\nteil\r\n--b--\r\n"
	m = lim.Parse([]byte("Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"+part), nil)
	if m.Rejected != nil || !m.Unreadable || strings.Contains(m.Text, "teil") {
		t.Errorf("part over the field limit: rejected %v unreadable %v text %q", m.Rejected, m.Unreadable, m.Text)
	}
}

func TestMailStart(t *testing.T) {
	for raw, want := range map[string]string{
		"From a@b.example Mon Jun  2 10:00:00 2025\nSubject: s\n\nx": "Subject: s",
		"From: a@b.example\nSubject: s\n\nx":                         "From: a@b.example",
		"From : a@b.example\nSubject: s\n\nx":                        "From : a@b.example",
		"\xef\xbb\xbfSubject: s\n\nx":                                "Subject: s",
		"\r\n\r\nSubject: s\r\n\r\nx":                                "Subject: s",
		"\n\nnur Text\n":                                             "\n\nnur Text",
	} {
		if got := raw[mailStart([]byte(raw)):]; !strings.HasPrefix(got, want) {
			t.Errorf("%q: starts at %q, want %q", raw, got, want)
		}
	}
}

// TestCorpusUnreadable: of the corpus mails exactly those whose structure
// cannot be read are marked (and so flagged).
func TestCorpusUnreadable(t *testing.T) {
	want := map[string]bool{"erroneous.eml": true, "multipart-wo-boundary.eml": true}
	files, _ := filepath.Glob(filepath.Join(testcorpus.Path(t, "eml"), "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if got := Parse(raw, nil).Unreadable; got != want[filepath.Base(f)] {
			t.Errorf("%s: unreadable %v", filepath.Base(f), got)
		}
	}
	// The mbox line: before, this mail lost its structure.
	mbox := append([]byte("From a@b.example Mon Jun  2 10:00:00 2025\r\n"), bytes.ReplaceAll(mixed("m", "", attachment("x.bin", filler(10, 1))), []byte("\r\n"), []byte("\n"))...)
	if m := Parse(mbox, nil); m.Unreadable || len(m.Attachments) != 1 || m.Subject != "m" {
		t.Errorf("mbox mail: unreadable %v attachments %d subject %q", m.Unreadable, len(m.Attachments), m.Subject)
	}
}
