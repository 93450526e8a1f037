package barcode

import (
	"image"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// lineDecoder decodes one symbology from a binarised scan line.
type lineDecoder struct {
	name string
	rd   oned.RowDecoder
	// fallback is tried when rd reports a format error (Code 39 full ASCII
	// decoding of a plain Code 39 with an invalid escape sequence).
	fallback oned.RowDecoder
}

func newLineDecoders() []lineDecoder {
	return []lineDecoder{
		{name: "code128", rd: oned.NewCode128Reader().(oned.RowDecoder)},
		{name: "code39", rd: oned.NewCode39ReaderWithFlags(false, true).(oned.RowDecoder),
			fallback: oned.NewCode39Reader().(oned.RowDecoder)},
		{name: "ean13", rd: oned.NewEAN13Reader().(oned.RowDecoder)},
		{name: "itf", rd: oned.NewITFReader().(oned.RowDecoder)},
	}
}

// lineHit is one decode on one scan line. a and b are positions along the
// line, line is the line's index.
type lineHit struct {
	symbology, text string
	a, b, line      int
}

// scanLines binarises the lines first, first+step, … below n (line(y) is
// the luminance of line y; all lines have the same length) and runs all
// line decoders forwards and backwards on them. Hits are numbered by their
// line.
func scanLines(line func(y int) []byte, first, step, n int, decs []lineDecoder, hits []lineHit) []lineHit {
	if first >= n {
		return hits
	}
	width := len(line(first))
	row := gozxing.NewBitArray(width)
	work := gozxing.NewBitArray(width)
	for y := first; y < n; y += step {
		if !blackRow(line(y), row) || transitions(row) < 12 {
			continue
		}
		for dir := 0; dir < 2; dir++ {
			if dir == 1 {
				row.Reverse()
			}
			for _, d := range decs {
				copyBits(work, row)
				for n := 0; n < 4; n++ {
					res, err := decodeLine(d, y, work)
					if err != nil || res == nil {
						break
					}
					pts := res.GetResultPoints()
					if len(pts) < 2 {
						break
					}
					a, b := int(pts[0].GetX()), int(pts[len(pts)-1].GetX())
					if a > b {
						a, b = b, a
					}
					end := b
					if dir == 1 {
						a, b = width-1-b, width-1-a
					}
					hits = append(hits, lineHit{symbology: d.name, text: res.GetText(), a: a, b: b, line: y})
					// Look for a further symbol to the right of this one.
					clearTo(work, end+1)
				}
			}
		}
	}
	return hits
}

// blackRow binarises one line into row as gozxing's
// GlobalHistogramBinarizer.GetBlackRow does (a black point from the line's
// 32-bucket histogram, a -1 4 -1 sharpening filter), without its copies,
// per-bit calls and exceptions. It reports false when the line has too
// little contrast.
func blackRow(lum []byte, row *gozxing.BitArray) bool {
	var buckets [32]int
	for _, v := range lum {
		buckets[v>>3]++
	}
	black, ok := blackPoint(&buckets)
	if !ok {
		return false
	}
	bits := row.GetBitArray()
	clear(bits)
	w := len(lum)
	if w < 3 {
		for x, v := range lum {
			if int(v) < black {
				bits[x/32] |= 1 << uint(x%32)
			}
		}
		return true
	}
	left, center := int(lum[0]), int(lum[1])
	for x := 1; x < w-1; x++ {
		right := int(lum[x+1])
		if (center*4-left-right)/2 < black {
			bits[x/32] |= 1 << uint(x%32)
		}
		left, center = center, right
	}
	return true
}

// blackPoint is GlobalHistogramBinarizer's estimateBlackPoint: the valley
// between the tallest peak and a second, distant one, nearer the white.
func blackPoint(b *[32]int) (int, bool) {
	maxCount, first, firstSize := 0, 0, 0
	for x, c := range b {
		if c > firstSize {
			first, firstSize = x, c
		}
		maxCount = max(maxCount, c)
	}
	second, secondScore := 0, 0
	for x, c := range b {
		d := x - first
		if s := c * d * d; s > secondScore {
			second, secondScore = x, s
		}
	}
	if first > second {
		first, second = second, first
	}
	if second-first <= len(b)/16 {
		return 0, false
	}
	valley, valleyScore := second-1, -1
	for x := second - 1; x > first; x-- {
		from := x - first
		if s := from * from * (second - x) * (maxCount - b[x]); s > valleyScore {
			valley, valleyScore = x, s
		}
	}
	return valley << 3, true
}

func decodeLine(d lineDecoder, y int, row *gozxing.BitArray) (res *gozxing.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, gozxing.NewFormatException("decoder panic")
		}
	}()
	res, err = d.rd.DecodeRow(y, row, nil)
	if err != nil && d.fallback != nil {
		if _, ok := err.(gozxing.FormatException); ok {
			res, err = d.fallback.DecodeRow(y, row, nil)
		}
	}
	return res, err
}

func transitions(row *gozxing.BitArray) int {
	n := 0
	size := row.GetSize()
	for x := row.GetNextSet(0); x < size; {
		u := row.GetNextUnset(x)
		n += 2
		if u >= size {
			break
		}
		x = row.GetNextSet(u)
	}
	return n
}

func copyBits(dst, src *gozxing.BitArray) {
	copy(dst.GetBitArray(), src.GetBitArray())
}

func clearTo(row *gozxing.BitArray, end int) {
	if end > row.GetSize() {
		end = row.GetSize()
	}
	bits := row.GetBitArray()
	full := end / 32
	for i := 0; i < full; i++ {
		bits[i] = 0
	}
	if r := end % 32; r > 0 {
		bits[full] &^= (uint32(1) << uint(r)) - 1
	}
}

// clusterHits groups hits of the same symbology and text that lie on nearby
// lines and overlap along the line. A symbol must be read on at least
// minLines lines: single-line decodes are the usual false positives.
func clusterHits(hits []lineHit, step int, transposed bool, minLines int) []found {
	type cl struct {
		symbology, text string
		a, b, l0, l1    int
		n               int
	}
	var cls []*cl
	for _, h := range hits {
		var hit *cl
		for _, c := range cls {
			if c.symbology == h.symbology && c.text == h.text && h.line-c.l1 <= 4*step && h.a <= c.b && h.b >= c.a {
				hit = c
				break
			}
		}
		if hit == nil {
			cls = append(cls, &cl{symbology: h.symbology, text: h.text, a: h.a, b: h.b, l0: h.line, l1: h.line, n: 1})
			continue
		}
		hit.a, hit.b = min(hit.a, h.a), max(hit.b, h.b)
		hit.l1 = max(hit.l1, h.line)
		hit.l0 = min(hit.l0, h.line)
		hit.n++
	}
	var out []found
	for _, c := range cls {
		if c.n < minLines {
			continue
		}
		half := step / 2
		r := rect(c.a, c.l0-half, c.b+1, c.l1+half+1)
		if transposed {
			r = rect(c.l0-half, c.a, c.l1+half+1, c.b+1)
		}
		sym, text := c.symbology, latin1(c.text)
		if sym == "ean13" && len(text) == 13 && text[0] == '0' {
			sym, text = "upca", text[1:]
		}
		out = append(out, found{symbology: sym, text: text, box: r, lines: c.n})
	}
	return out
}

// found is a decoded symbol before it becomes a mailroom.Symbol.
type found struct {
	symbology, text string
	box             image.Rectangle
	mirrored        bool
	lines           int
}

func rect(x0, y0, x1, y1 int) image.Rectangle { return image.Rect(x0, y0, x1, y1) }

// latin1 reads a decoder result whose bytes are ISO-8859-1 (Code 128 FNC4
// extended characters, Code 39 full ASCII stays 7-bit) as UTF-8.
func latin1(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		r = append(r, rune(s[i]))
	}
	return string(r)
}
