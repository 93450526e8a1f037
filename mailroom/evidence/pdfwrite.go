package evidence

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/digitorus/pdf"
)

// update is an incremental update of a PDF (ISO 32000 7.5.6): new and
// changed objects appended after the original bytes, which stay untouched,
// with a cross-reference section of the same kind (table or stream) as the
// original's and a /Prev link to it.
type update struct {
	orig    []byte
	r       *pdf.Reader
	buf     bytes.Buffer
	next    uint32
	offsets map[uint32]int64
}

func newUpdate(orig []byte) (*update, error) {
	r, err := pdf.NewReader(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		return nil, fmt.Errorf("PDF: %w", err)
	}
	if r.Trailer().Key("Encrypt").Kind() != pdf.Null {
		return nil, fmt.Errorf("PDF is encrypted")
	}
	u := &update{orig: orig, r: r, offsets: map[uint32]int64{}}
	size := r.Trailer().Key("Size").Int64()
	var max uint32
	for _, x := range r.Xref() {
		p := x.Ptr()
		if id := p.GetID(); id > max {
			max = id
		}
	}
	if int64(max)+1 > size {
		size = int64(max) + 1
	}
	u.next = uint32(size)
	u.buf.Write(orig)
	if len(orig) > 0 && orig[len(orig)-1] != '\n' {
		u.buf.WriteByte('\n')
	}
	return u, nil
}

// alloc reserves a new object number.
func (u *update) alloc() uint32 {
	id := u.next
	u.next++
	return id
}

// put writes object id with the given body (a dictionary, or a dictionary
// followed by a stream).
func (u *update) put(id uint32, body []byte) {
	u.offsets[id] = int64(u.buf.Len())
	fmt.Fprintf(&u.buf, "%d 0 obj\n", id)
	u.buf.Write(body)
	u.buf.WriteString("\nendobj\n")
}

// putStream writes a stream object with extra dictionary entries.
func (u *update) putStream(id uint32, dict string, data []byte) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	u.put(id, b.Bytes())
}

// finish writes the cross-reference section and trailer and returns the new file.
func (u *update) finish() ([]byte, error) {
	tr := u.r.Trailer()
	prev := startXref(u.orig)
	if prev < 0 {
		return nil, fmt.Errorf("PDF: no startxref")
	}
	ids := make([]uint32, 0, len(u.offsets))
	for id := range u.offsets {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var extra strings.Builder
	for _, k := range []string{"Root", "Info", "ID"} {
		v := tr.Key(k)
		if v.Kind() == pdf.Null {
			continue
		}
		fmt.Fprintf(&extra, " /%s ", k)
		writeValue(&extra, v, trailerContainer(tr))
	}
	if u.r.XrefInformation.Type == "stream" {
		xid := u.alloc()
		u.offsets[xid] = int64(u.buf.Len())
		ids = append(ids, xid)
		var data bytes.Buffer
		var index strings.Builder
		for i := 0; i < len(ids); {
			j := i
			for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
				j++
			}
			fmt.Fprintf(&index, "%d %d ", ids[i], j-i+1)
			for k := i; k <= j; k++ {
				off := u.offsets[ids[k]]
				data.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0, 0})
			}
			i = j + 1
		}
		u.putStream(xid, fmt.Sprintf("/Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %d%s",
			u.next, strings.TrimSpace(index.String()), prev, extra.String()), data.Bytes())
		fmt.Fprintf(&u.buf, "startxref\n%d\n%%%%EOF\n", u.offsets[xid])
		return u.buf.Bytes(), nil
	}
	start := u.buf.Len()
	u.buf.WriteString("xref\n")
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		fmt.Fprintf(&u.buf, "%d %d\n", ids[i], j-i+1)
		for k := i; k <= j; k++ {
			fmt.Fprintf(&u.buf, "%010d 00000 n \n", u.offsets[ids[k]])
		}
		i = j + 1
	}
	fmt.Fprintf(&u.buf, "trailer\n<< /Size %d /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n", u.next, prev, extra.String(), start)
	return u.buf.Bytes(), nil
}

// trailerContainer is the object id that direct values of the trailer report
// as their container (0 for a classic trailer, the xref stream's id otherwise).
func trailerContainer(tr pdf.Value) uint32 { p := tr.GetPtr(); return p.GetID() }

// startXref returns the offset after the last "startxref", or -1.
func startXref(b []byte) int64 {
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+len("startxref"):]))
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// writeValue serialises v. Values whose object number differs from container
// are indirect and written as references.
func writeValue(w *strings.Builder, v pdf.Value, container uint32) {
	if p := v.GetPtr(); p.GetID() != container && p.GetID() != 0 {
		fmt.Fprintf(w, "%d %d R", p.GetID(), p.GetGen())
		return
	}
	switch v.Kind() {
	case pdf.Null:
		w.WriteString("null")
	case pdf.Bool:
		w.WriteString(strconv.FormatBool(v.Bool()))
	case pdf.Integer:
		w.WriteString(strconv.FormatInt(v.Int64(), 10))
	case pdf.Real:
		w.WriteString(strconv.FormatFloat(v.Float64(), 'f', -1, 64))
	case pdf.String:
		w.WriteString("<" + hex.EncodeToString([]byte(v.RawString())) + ">")
	case pdf.Name:
		w.WriteString(pdfName(v.Name()))
	case pdf.Dict:
		w.WriteString("<<")
		for _, k := range v.Keys() {
			w.WriteString(" " + pdfName(k) + " ")
			writeValue(w, v.Key(k), container)
		}
		w.WriteString(" >>")
	case pdf.Array:
		w.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				w.WriteByte(' ')
			}
			writeValue(w, v.Index(i), container)
		}
		w.WriteString("]")
	default:
		w.WriteString("null")
	}
}

// pdfName writes a name with #xx escapes for delimiters and non-regular bytes.
func pdfName(n string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || strings.IndexByte("#()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pdfText encodes s as a PDF text string (UTF-16BE with BOM when not ASCII).
func pdfText(s string) string {
	ascii := true
	for _, r := range s {
		if r > 0x7e || r < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return "<" + hex.EncodeToString([]byte(s)) + ">"
	}
	var b bytes.Buffer
	b.Write([]byte{0xfe, 0xff})
	for _, r := range s {
		if r > 0xffff {
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			b.Write([]byte{byte(hi >> 8), byte(hi), byte(lo >> 8), byte(lo)})
			continue
		}
		b.Write([]byte{byte(r >> 8), byte(r)})
	}
	return "<" + hex.EncodeToString(b.Bytes()) + ">"
}

func newReaderAt(b []byte) *bytes.Reader { return bytes.NewReader(b) }
