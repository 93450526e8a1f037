package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// TestDoScanner counts Do operators by name and is not fooled by strings,
// comments, hex strings, inline image data or operators that only start
// with "Do"; chunk boundaries do not matter.
func TestDoScanner(t *testing.T) {
	content := "q /Im1 Do Q (a /Im2 Do \\) in a string (nested /Im2 Do)) Tj % /Im3 Do in a comment\n" +
		"<2F496D3420446F> Tj /Im1 Do BI /W 4 /H 1 /BPC 8 /CS /G ID \x00/Im5 Do\xff EI /Im6 Dox /Im6 Do\n/Im1 Do"
	want := map[Name]int64{"Im1": 3, "Im6": 1}
	for _, chunk := range []int{1, 3, 7, len(content)} {
		s := newDoScanner()
		for i := 0; i < len(content); i += chunk {
			s.feed([]byte(content[i:min(len(content), i+chunk)]))
		}
		s.finish()
		if fmt.Sprint(s.dos) != fmt.Sprint(want) || s.inlines != 1 {
			t.Errorf("chunks of %d: %v (inline images %d), want %v", chunk, s.dos, s.inlines, want)
		}
	}
}

// costPDF is a one-page PDF whose page draws form F n times; F draws
// image I m times. The image is w×h; F's content is formBytes long.
func costPDF(n, m, w, h, formBytes int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	stream := func(dict string, data []byte) {
		obj(fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data))
	}
	b.WriteString("%PDF-1.7\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /F 5 0 R >> >> /Contents 4 0 R >>")
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(strings.Repeat("/F Do\n", n)))
	zw.Close()
	stream("/Filter /FlateDecode", z.Bytes())
	form := strings.Repeat("/I Do\n", m)
	form += strings.Repeat(" ", max(0, formBytes-len(form)))
	stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /I 6 0 R >> >>", []byte(form))
	stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", w, h), []byte{0})
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	return b.Bytes()
}

// TestPageCost: forms and images count every time they are drawn; the
// limits stop the count; nothing overflows.
func TestPageCost(t *testing.T) {
	for _, c := range []struct {
		n, m, w, h, form int
		lim              CostLimits
		content, pixels  int64
		over             string
	}{
		{n: 3, m: 2, w: 10, h: 10, form: 100, content: 3*6 + 3*100, pixels: 3 * 2 * 100},
		{n: 1000, m: 1000, w: 1000, h: 1000, form: 10, lim: CostLimits{Pixels: 1e9}, over: "pixels"},
		{n: 100000, m: 1, w: 1, h: 1, form: 10000, lim: CostLimits{Content: 64 << 20}, over: "content"},
		{n: 1 << 20, m: 1 << 20, w: 1 << 15, h: 1 << 15, form: 1 << 20, over: ""}, // no limits: saturates
	} {
		b := costPDF(c.n, c.m, c.w, c.h, c.form)
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		pages, err := r.Pages()
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.PageCost(pages[0], c.lim)
		if err != nil {
			t.Fatal(err)
		}
		if got.Over != c.over || (c.content > 0 && (got.Content != c.content || got.Pixels != c.pixels)) {
			t.Errorf("%+v: got %+v", c, got)
		}
		if got.Content < 0 || got.Pixels < 0 {
			t.Errorf("%+v: overflow %+v", c, got)
		}
		if got.MaxImage != int64(c.w)*int64(c.h) {
			t.Errorf("%+v: max image %d", c, got.MaxImage)
		}
	}
}
