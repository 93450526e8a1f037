package hostiletest

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
)

// pdfObj is one indirect object: a dictionary or other value, and for a
// stream its (encoded) data.
type pdfObj struct {
	body   string
	stream []byte
	isStrm bool
}

// pdfDoc builds a PDF object by object; object 1 is the catalog.
type pdfDoc struct{ objs []pdfObj }

// add appends an object and returns its number.
func (d *pdfDoc) add(body string) int {
	d.objs = append(d.objs, pdfObj{body: body})
	return len(d.objs)
}

// addStream appends a stream object; dict is without /Length.
func (d *pdfDoc) addStream(dict string, data []byte) int {
	d.objs = append(d.objs, pdfObj{body: dict, stream: data, isStrm: true})
	return len(d.objs)
}

// set replaces object n's body (for objects that refer forward).
func (d *pdfDoc) set(n int, body string) { d.objs[n-1].body = body }

// writeTo writes the file with a classic cross-reference table.
func (d *pdfDoc) writeTo(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	fmt.Fprintf(cw, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	offs := make([]int64, len(d.objs))
	for i, o := range d.objs {
		offs[i] = cw.n
		if o.isStrm {
			fmt.Fprintf(cw, "%d 0 obj\n<< %s /Length %d >>\nstream\n", i+1, o.body, len(o.stream))
			cw.Write(o.stream)
			fmt.Fprintf(cw, "\nendstream\nendobj\n")
		} else {
			fmt.Fprintf(cw, "%d 0 obj\n%s\nendobj\n", i+1, o.body)
		}
	}
	xref := cw.n
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f \n", len(d.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(cw, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(cw, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(d.objs)+1, xref)
	return bw.Flush()
}

func (d *pdfDoc) bytes() []byte {
	var b bytes.Buffer
	d.writeTo(&b)
	return b.Bytes()
}

func (d *pdfDoc) writeFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := d.writeTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// deflate compresses what fill writes (zlib, best compression).
func deflate(fill func(w io.Writer)) []byte {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	fill(zw)
	zw.Close()
	return b.Bytes()
}

// repeat writes unit until n bytes were written (rounded up to whole units).
func repeat(w io.Writer, unit []byte, n int64) {
	chunk := bytes.Repeat(unit, max(1, (64<<10)/len(unit)))
	for done := int64(0); done < n; done += int64(len(chunk)) {
		w.Write(chunk)
	}
}

// onePage is a catalog and page tree with one A4 page of the given content
// and resources.
func onePage(content []byte, contentDict, resources, mediaBox string) *pdfDoc {
	d := &pdfDoc{}
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources %s /Contents 4 0 R >>", mediaBox, resources))
	d.addStream(contentDict, content)
	return d
}

const a4 = "[0 0 595 842]"
