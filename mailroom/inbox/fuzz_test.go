package inbox

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz from the hostile mail generator")

// smallLimits keep the fuzz targets fast while reaching every limit.
var smallLimits = Limits{HeaderBytes: 4 << 10, HeaderLine: 1 << 10, HeaderFields: 50, Parts: 60, Depth: 8,
	Attachments: 12, MailDepth: 3, Warnings: 20}

// fuzzSeeds are small generated hostile inputs (the seed corpora in
// testdata/fuzz are written from them with -update-seeds).
func fuzzSeeds() map[string][]byte {
	seeds := map[string][]byte{}
	for _, h := range HostileMails(false) {
		if len(h.Raw) <= 64<<10 {
			seeds[h.Name] = h.Raw
		}
	}
	seeds["folded-small"] = foldedSubject(300)
	seeds["rfc822-depth-6-small"] = nestedChain(6, 300, false)
	seeds["octet-eml-depth-5-small"] = nestedChain(5, 300, true)
	seeds["multipart-depth-30"] = deepMultipart(30)
	var parts []string
	for i := 0; i < 20; i++ {
		parts = append(parts, attachment(fmt.Sprintf("a%02d.bin", i), filler(40, byte(i))))
	}
	seeds["20-attachments"] = mixed("zwanzig", "", parts...)
	bad := mixed("kaputt-b64", "", attachment("x.bin", filler(200, 5)))
	seeds["damaged-base64"] = bytes.Replace(bad, []byte("\r\n--=_kaputt-b64--"), []byte("!!*==AB\r\n--=_kaputt-b64--"), 1)
	return seeds
}

// TestWriteFuzzSeeds writes testdata/fuzz/{FuzzReadHeader,FuzzExpand}
// with -update-seeds; otherwise it checks the files are there.
func TestWriteFuzzSeeds(t *testing.T) {
	for _, target := range []string{"FuzzReadHeader", "FuzzExpand"} {
		dir := filepath.Join("testdata", "fuzz", target)
		if !*updateSeeds {
			if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) < 10 {
				t.Errorf("%s: %d seed files, want the generated corpus (go test -run TestWriteFuzzSeeds -update-seeds)", dir, len(files))
			}
			continue
		}
		os.MkdirAll(dir, 0o755)
		for name, raw := range fuzzSeeds() {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(raw)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func addCorpus(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testcorpus.Dir(f), "eml", "*.eml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzReadHeader: the header parser never panics, stays within its limits
// and reads every header the strict parser (go-message textproto) reads
// exactly as that parser does.
func FuzzReadHeader(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		lim := smallLimits.withDefaults()
		hb := readHeader(raw, lim)
		if hb.bodyOff < 0 || hb.bodyOff > len(raw) {
			t.Fatalf("body offset %d of %d", hb.bodyOff, len(raw))
		}
		if hb.err == nil && hb.h.Len() > lim.HeaderFields {
			t.Fatalf("%d fields, limit %d", hb.h.Len(), lim.HeaderFields)
		}
		strict, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil || hb.err != nil {
			return
		}
		want, got := fieldList(strict), fieldList(hb.h)
		if want != got {
			t.Fatalf("fields differ from the strict parser:\nstrict %s\nours   %s", want, got)
		}
	})
}

func fieldList(h textproto.Header) string {
	var b strings.Builder
	fs := h.Fields()
	for fs.Next() {
		fmt.Fprintf(&b, "%q=%q ", fs.Key(), fs.Value())
	}
	return b.String()
}

// FuzzExpand: the Expander never panics, every part file exists with a safe
// name, the parts stay within the attachment limit, nested mails carry a
// depth within the limit, and what the lean parse writes is what the eager
// parse decodes.
func FuzzExpand(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		dir := t.TempDir()
		orig := filepath.Join(dir, "mail.eml")
		if err := os.WriteFile(orig, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		x := &Expander{Mode: "separate", TempDir: dir, Limits: smallLimits}
		defer x.Close()
		b := &mailroom.Batch{ID: "b", Source: "fuzz", SHA256: "0123456789abcdef", MediaType: mailroom.MediaEML, Filename: "mail.eml", Metadata: map[string]string{}}
		exp, ok, err := x.Expand(context.Background(), mailroom.ExpandInput{Batch: b, Original: orig})
		if err != nil {
			if _, bad := mailroom.AsInputError(err); !bad {
				t.Fatalf("not a BadInput: %v", err)
			}
			return
		}
		if !ok {
			t.Fatal("mail not handled")
		}
		if len(exp.Parts) > smallLimits.Attachments {
			t.Fatalf("%d parts, limit %d", len(exp.Parts), smallLimits.Attachments)
		}
		for _, p := range exp.Parts {
			if strings.ContainsAny(p.Name, "/\\\x00") || p.Name == "" || p.Name == ".." {
				t.Fatalf("unsafe file name %q", p.Name)
			}
			if _, err := os.Stat(p.Path); err != nil {
				t.Fatal(err)
			}
			if d := mailDepth(p.Metadata); d < 1 || d > smallLimits.MailDepth+1 {
				t.Fatalf("part %s depth %d", p.Name, d)
			}
		}
		checkLeanEqualsEager(t, raw)
	})
}

// checkLeanEqualsEager: the lean parse finds the same attachments as the
// eager one and reads the same bytes for each.
func checkLeanEqualsEager(t *testing.T, raw []byte) {
	t.Helper()
	eager, lean := smallLimits.Parse(raw, nil), smallLimits.parseLean(raw, nil)
	if len(eager.Attachments) != len(lean.Attachments) || fmt.Sprint(eager.Warnings) != fmt.Sprint(lean.Warnings) {
		t.Fatalf("lean parse differs: %d/%d attachments, warnings %q / %q", len(eager.Attachments), len(lean.Attachments), eager.Warnings, lean.Warnings)
	}
	for i := range eager.Attachments {
		e, l := eager.Attachments[i], lean.Attachments[i]
		got, _ := io.ReadAll(l.reader())
		if e.Filename != l.Filename || e.Nested != l.Nested || !bytes.Equal(e.Data, got) {
			t.Fatalf("attachment %d: eager %q nested=%v %d bytes, lean %q nested=%v %d bytes", i, e.Filename, e.Nested, len(e.Data), l.Filename, l.Nested, len(got))
		}
	}
}
