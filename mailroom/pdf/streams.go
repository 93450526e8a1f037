package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
)

// streamLength returns the /Length of s and checks that "endstream"
// follows the data, so a wrong length is never taken.
func (r *Reader) streamLength(s *Stream) (int64, error) {
	lo, err := r.Resolve(s.Dict["Length"])
	if err != nil {
		return 0, err
	}
	n, ok := lo.(int64)
	if !ok || n < 0 || s.Offset+n > r.size {
		return 0, errorf("bad stream length")
	}
	after, err := r.readAt(s.Offset+n, 32)
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(bytes.TrimLeft(after, " \t\r\n\f\x00"), []byte("endstream")) {
		return 0, errorf("stream length does not end at endstream")
	}
	return n, nil
}

// RawStream returns the encoded bytes of s; more than limit is an error.
func (r *Reader) RawStream(s *Stream, limit int64) ([]byte, error) {
	n, err := r.streamLength(s)
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errorf("stream too large (%d bytes)", n)
	}
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, s.Offset); err != nil && !(err == io.EOF && n == 0) {
		return nil, err
	}
	return b, nil
}

// typedStream returns o as a stream of /Type typ with its decoded data (for
// cross-reference and object streams); if o is not such a stream, the
// error notTyped.
func (r *Reader) typedStream(o any, typ Name, notTyped error) (*Stream, []byte, error) {
	s, ok := o.(*Stream)
	if !ok || s.Dict["Type"] != typ {
		return nil, nil, notTyped
	}
	data, err := r.DecodeStream(s, maxXrefStream)
	if err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// DecodeStream returns the data of a stream that has no filter or only
// FlateDecode (with PNG predictors); more than limit bytes, encoded or
// decoded, is an error.
func (r *Reader) DecodeStream(s *Stream, limit int64) ([]byte, error) {
	raw, err := r.RawStream(s, limit)
	if err != nil {
		return nil, err
	}
	filter, parms, err := r.SingleFilter(s.Dict)
	if err != nil {
		return nil, err
	}
	switch filter {
	case "":
		return raw, nil
	case "FlateDecode":
		return Inflate(raw, parms, limit)
	}
	return nil, errorf("filter %s not supported here", filter)
}

// SingleFilter returns the stream's only filter ("" for none) and its
// parameters (resolved, may be nil); a chain of filters is an error.
func (r *Reader) SingleFilter(d Dict) (Name, Dict, error) {
	fo, err := r.Resolve(d["Filter"])
	if err != nil {
		return "", nil, err
	}
	po, err := r.Resolve(d["DecodeParms"])
	if err != nil {
		return "", nil, err
	}
	if a, ok := fo.(Array); ok {
		if fo, po, err = r.singleOfChain(a, po); err != nil {
			return "", nil, err
		}
	}
	var name Name
	if fo != nil {
		n, ok := fo.(Name)
		if !ok {
			return "", nil, errorf("bad /Filter")
		}
		name = n
	}
	var parms Dict
	if po != nil {
		p, ok := po.(Dict)
		if !ok {
			return "", nil, errorf("bad /DecodeParms")
		}
		parms = p
	}
	return name, parms, nil
}

// singleOfChain takes the filter and parameters out of one-element arrays.
func (r *Reader) singleOfChain(a Array, po any) (filter, parms any, err error) {
	if len(a) > 1 {
		return nil, nil, errorf("filter chain")
	}
	if len(a) == 1 {
		filter = a[0]
	}
	pa, ok := po.(Array)
	if !ok {
		return filter, po, nil
	}
	if len(pa) == 1 {
		if parms, err = r.Resolve(pa[0]); err != nil {
			return nil, nil, err
		}
	}
	return filter, parms, nil
}

// Inflate decodes zlib data and undoes a PNG predictor (/Predictor ≥ 10)
// given in parms; more than limit decoded bytes is an error.
func Inflate(raw []byte, parms Dict, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errorf("flate: %v", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errorf("flate: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, errorf("flate data too large")
	}
	pred := parms.Int("Predictor", 1)
	if pred == 1 {
		return data, nil
	}
	if pred < 10 {
		return nil, errorf("predictor %d not supported", pred)
	}
	colors := parms.Int("Colors", 1)
	bpc := parms.Int("BitsPerComponent", 8)
	cols := parms.Int("Columns", 1)
	if colors < 1 || colors > 4 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) || cols < 1 || cols > 1<<20 {
		return nil, errorf("bad predictor parameters")
	}
	return unpredictPNG(data, int((colors*bpc*cols+7)/8), int(max(1, colors*bpc/8)))
}

func unpredictPNG(data []byte, rowLen, bpp int) ([]byte, error) {
	stride := rowLen + 1
	rows := len(data) / stride
	out := make([]byte, rows*rowLen)
	prev := make([]byte, rowLen)
	for y := 0; y < rows; y++ {
		in := data[y*stride : (y+1)*stride]
		cur := out[y*rowLen : (y+1)*rowLen]
		copy(cur, in[1:])
		if err := unpredictRow(in[0], cur, prev, bpp); err != nil {
			return nil, err
		}
		prev = cur
	}
	return out, nil
}

// unpredictRow undoes PNG filter type typ on row cur (prev is the row above).
func unpredictRow(typ byte, cur, prev []byte, bpp int) error {
	switch typ {
	case 0:
	case 1:
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2:
		for i := range cur {
			cur[i] += prev[i]
		}
	case 3:
		for i := range cur {
			var left byte
			if i >= bpp {
				left = cur[i-bpp]
			}
			cur[i] += byte((int(left) + int(prev[i])) / 2)
		}
	case 4:
		for i := range cur {
			var a, c byte
			if i >= bpp {
				a, c = cur[i-bpp], prev[i-bpp]
			}
			cur[i] += paeth(a, prev[i], c)
		}
	default:
		return errorf("bad PNG predictor row type %d", typ)
	}
	return nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
