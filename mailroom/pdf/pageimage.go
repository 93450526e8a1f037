package pdf

// Image passthrough for scanned PDFs. A page that consists of one image
// XObject covering the page (what scanners write) can keep that image as it
// came: the compressed bytes, /Filter, /DecodeParms, /Decode, size, depth and
// colour space are read here, nothing is decoded. Whatever is not clearly
// such a page (other drawing operators, clipping, masks, transparency, odd
// colour spaces, images not covering the page, mirrored placement) is an
// error wrapping ErrNoPassthrough, and the caller renders the page.

// Limits of the image passthrough.
const (
	maxPageContent = 1 << 16   // bytes of a scanned page's content stream
	maxRawImage    = 256 << 20 // encoded bytes of the image taken over
	maxICCProfile  = 4 << 20   // encoded bytes of its ICC profile
)

// PageImage is a page's single full-page image as stored in the file.
type PageImage struct {
	Filter      Name  // the stream's only filter ("" for none); the caller decides which it takes
	DecodeParms Dict  // nil if none
	Decode      Array // nil if absent; else the default or, for one component, [1 0]
	Invert      bool  // Decode is [1 0]: sample 0 is white
	Width       int
	Height      int
	BPC         int        // bits per component
	Components  int        // 1 or 3
	ColorSpace  Name       // DeviceGray or DeviceRGB; "" when ICC is set
	ICC         *ICCStream // an ICCBased colour space
	DPI         float64
	Rotate      int    // clockwise turn that shows the image as the page shows it
	Data        []byte // the encoded stream data
}

// ICCStream is the ICC profile of an ICCBased colour space as stored.
type ICCStream struct {
	N           int  // components: 1 or 3
	Filter      Name // "" or FlateDecode
	DecodeParms Dict
	Data        []byte // encoded
}

// PageImage takes page p's image, or says why it cannot (ErrNoPassthrough)
// or that the input is damaged (other errors). checkSize is called with the
// image's size before anything large is read; its error is returned as it
// is (a decompression bomb stays refused).
func (r *Reader) PageImage(p Page, checkSize func(w, h int64) error) (*PageImage, error) {
	m, s, err := r.pageXObject(p)
	if err != nil {
		return nil, err
	}
	img, err := r.imageSize(s.Dict)
	if err != nil {
		return nil, err
	}
	if err := checkSize(int64(img.Width), int64(img.Height)); err != nil {
		return nil, err
	}
	if img.Filter, img.DecodeParms, err = r.SingleFilter(s.Dict); err != nil {
		return nil, NoPassthrough("%v", err)
	}
	if err := r.imageColorSpace(s.Dict, img); err != nil {
		return nil, err
	}
	if err := r.imageDecode(s.Dict, img); err != nil {
		return nil, err
	}
	rot, dpi, box, err := placement(m, img.Width, img.Height)
	if err != nil {
		return nil, err
	}
	if !covers(box, p.MediaBox, p.CropBox) {
		return nil, NoPassthrough("image does not cover the page")
	}
	if img.Data, err = r.RawStream(s, maxRawImage); err != nil {
		return nil, err
	}
	img.DPI, img.Rotate = dpi, (rot+p.Rotate)%360
	return img, nil
}

// pageXObject returns the image XObject the page's content draws, and the
// transformation it is drawn with.
func (r *Reader) pageXObject(p Page) (Matrix, *Stream, error) {
	content, err := r.Contents(p, maxPageContent)
	if err != nil {
		return Matrix{}, nil, err
	}
	name, m, err := singleImageDo(content)
	if err != nil {
		return m, nil, err
	}
	xo, err := r.Dict(p.Resources["XObject"])
	if err != nil {
		return m, nil, err
	}
	so, err := r.Resolve(xo[name])
	if err != nil {
		return m, nil, err
	}
	s, ok := so.(*Stream)
	if !ok {
		return m, nil, NoPassthrough("XObject %s is not a stream", string(name))
	}
	if s.Dict["Subtype"] != Name("Image") {
		return m, nil, NoPassthrough("XObject %s is not an image", string(name))
	}
	for _, k := range []Name{"ImageMask", "Mask", "SMask", "SMaskInData"} {
		if v, err := r.Resolve(s.Dict[k]); err != nil || (v != nil && v != false && v != int64(0)) {
			return m, nil, NoPassthrough("image has /%s", string(k))
		}
	}
	return m, s, nil
}

// smallInt resolves o to an integer in [0, 2^30].
func (r *Reader) smallInt(o any) (int, bool) {
	v, err := r.Resolve(o)
	if err != nil {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok || n < 0 || n > 1<<30 {
		return 0, false
	}
	return int(n), true
}

func (r *Reader) imageSize(d Dict) (*PageImage, error) {
	w, okW := r.smallInt(d["Width"])
	h, okH := r.smallInt(d["Height"])
	bpc, okB := r.smallInt(d["BitsPerComponent"])
	if !okW || !okH || !okB || w <= 0 || h <= 0 {
		return nil, NoPassthrough("image size or depth missing")
	}
	return &PageImage{Width: w, Height: h, BPC: bpc}, nil
}

// imageColorSpace takes DeviceGray, DeviceRGB and ICCBased with 1 or 3
// components.
func (r *Reader) imageColorSpace(d Dict, img *PageImage) error {
	cso, err := r.Resolve(d["ColorSpace"])
	if err != nil {
		return err
	}
	switch cs := cso.(type) {
	case Name:
		switch cs {
		case "DeviceGray":
			img.Components = 1
		case "DeviceRGB":
			img.Components = 3
		default:
			return NoPassthrough("colour space %s", string(cs))
		}
		img.ColorSpace = cs
		return nil
	case Array:
		if len(cs) != 2 || cs[0] != Name("ICCBased") {
			return NoPassthrough("colour space %v", cs)
		}
		icc, err := r.iccProfile(cs[1])
		if err != nil {
			return err
		}
		img.ICC, img.Components = icc, icc.N
		return nil
	}
	return NoPassthrough("colour space missing or odd (%T)", cso)
}

func (r *Reader) iccProfile(o any) (*ICCStream, error) {
	io, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	s, ok := io.(*Stream)
	if !ok {
		return nil, NoPassthrough("ICC profile is not a stream")
	}
	n, _ := r.smallInt(s.Dict["N"])
	if n != 1 && n != 3 {
		return nil, NoPassthrough("ICC profile with %d components", n)
	}
	data, err := r.RawStream(s, maxICCProfile)
	if err != nil {
		return nil, err
	}
	f, fp, err := r.SingleFilter(s.Dict)
	if err != nil || (f != "" && f != "FlateDecode") {
		return nil, NoPassthrough("ICC profile filter")
	}
	return &ICCStream{N: n, Filter: f, DecodeParms: fp, Data: data}, nil
}

// imageDecode accepts the default /Decode array, and the inverted one for
// one component.
func (r *Reader) imageDecode(d Dict, img *PageImage) error {
	do, err := r.Resolve(d["Decode"])
	if err != nil || do == nil {
		return err
	}
	arr, ok := do.(Array)
	if !ok || len(arr) != 2*img.Components {
		return NoPassthrough("bad /Decode")
	}
	vals := make([]float64, len(arr))
	for i, v := range arr {
		f, ok := Number(v)
		if !ok {
			return NoPassthrough("bad /Decode")
		}
		vals[i] = f
	}
	def := true
	for i := 0; i < img.Components; i++ {
		if vals[2*i] != 0 || vals[2*i+1] != 1 {
			def = false
		}
	}
	switch {
	case def:
	case img.Components == 1 && vals[0] == 1 && vals[1] == 0:
		img.Invert = true
	default:
		return NoPassthrough("/Decode %v", vals)
	}
	img.Decode = arr
	return nil
}
