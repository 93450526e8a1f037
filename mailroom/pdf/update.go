package pdf

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Update is an incremental update of a PDF (ISO 32000 7.5.6): new and
// changed objects appended after the original bytes, which stay untouched,
// with a cross-reference section of the same kind (table or stream) as the
// original's and a /Prev link to it.
type Update struct {
	orig    []byte
	r       *Reader
	buf     bytes.Buffer
	next    int
	offsets map[int]int64
}

// NewUpdate starts an incremental update of orig. Encrypted files are
// refused.
func NewUpdate(orig []byte) (*Update, error) {
	r, err := NewReader(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		return nil, fmt.Errorf("PDF: %w", err)
	}
	u := &Update{orig: orig, r: r, offsets: map[int]int64{}}
	size, _ := r.Trailer()["Size"].(int64)
	u.next = int(max(size, int64(r.MaxObject())+1))
	u.buf.Write(orig)
	if len(orig) > 0 && orig[len(orig)-1] != '\n' {
		u.buf.WriteByte('\n')
	}
	return u, nil
}

// Reader returns the reader of the original file.
func (u *Update) Reader() *Reader { return u.r }

// Alloc reserves a new object number.
func (u *Update) Alloc() int {
	id := u.next
	u.next++
	return id
}

// Put writes object id (new or replacing the original's object id, which
// must have generation 0) with the given body.
func (u *Update) Put(id int, body []byte) {
	u.offsets[id] = int64(u.buf.Len())
	fmt.Fprintf(&u.buf, "%d 0 obj\n", id)
	u.buf.Write(body)
	u.buf.WriteString("\nendobj\n")
}

// PutStream writes a stream object; dict holds the dictionary entries
// besides /Length, in PDF syntax.
func (u *Update) PutStream(id int, dict string, data []byte) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	u.Put(id, b.Bytes())
}

// Finish writes the cross-reference section and trailer (keeping the
// original's /Root, /Info and /ID) and returns the new file.
func (u *Update) Finish() ([]byte, error) {
	var extra bytes.Buffer
	tr := u.r.Trailer()
	for _, k := range []Name{"Root", "Info", "ID"} {
		v, ok := tr[k]
		if !ok {
			continue
		}
		fmt.Fprintf(&extra, " /%s ", k)
		if err := Write(&extra, v); err != nil {
			return nil, fmt.Errorf("PDF trailer: %w", err)
		}
	}
	ids := make([]int, 0, len(u.offsets))
	for id := range u.offsets {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	if u.r.XrefStream() {
		u.finishStream(ids, extra.String())
	} else {
		u.finishTable(ids, extra.String())
	}
	return u.buf.Bytes(), nil
}

// runs calls f for each run of consecutive numbers in ids (sorted).
func runs(ids []int, f func(run []int)) {
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		f(ids[i : j+1])
		i = j + 1
	}
}

func (u *Update) finishStream(ids []int, extra string) {
	xid := u.Alloc()
	u.offsets[xid] = int64(u.buf.Len())
	ids = append(ids, xid)
	var data bytes.Buffer
	var index strings.Builder
	runs(ids, func(run []int) {
		fmt.Fprintf(&index, "%d %d ", run[0], len(run))
		for _, id := range run {
			off := u.offsets[id]
			data.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0, 0})
		}
	})
	u.PutStream(xid, fmt.Sprintf("/Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %d%s",
		u.next, strings.TrimSpace(index.String()), u.r.StartXref(), extra), data.Bytes())
	fmt.Fprintf(&u.buf, "startxref\n%d\n%%%%EOF\n", u.offsets[xid])
}

func (u *Update) finishTable(ids []int, extra string) {
	start := u.buf.Len()
	u.buf.WriteString("xref\n")
	runs(ids, func(run []int) {
		fmt.Fprintf(&u.buf, "%d %d\n", run[0], len(run))
		for _, id := range run {
			fmt.Fprintf(&u.buf, "%010d 00000 n \n", u.offsets[id])
		}
	})
	fmt.Fprintf(&u.buf, "trailer\n<< /Size %d /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n", u.next, u.r.StartXref(), extra, start)
}
