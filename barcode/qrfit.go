package barcode

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// Fitted QR sampling.
//
// ZXing maps the module grid onto the image with one perspective transform
// through the three finder-pattern centres and one alignment pattern. On a
// photographed card that is bent, or a code seen at an angle and blurred,
// that transform is off by a module or more at some edges, the sampled
// modules are wrong and the code does not decode although its finder
// patterns were found. Here the transform is fitted to the code instead:
// the modules whose values every QR code of that size has (finder patterns
// with their separators, timing patterns, alignment patterns, the dark
// module, the version information) are sampled, and the four corner points
// of the transform are moved, in steps of half a module down to an eighth,
// as long as more of those modules come out right (the idea of quirc's
// "jiggle"). Codes with several alignment patterns are then corrected
// locally: each alignment pattern is searched near where the fitted
// transform puts it, and the offsets found are interpolated between them.
// A dimension misjudged by one version step is tried as well; the version
// information of codes from version 7 on, which the dimension already
// fixes, is written into the sampled grid before decoding, so that a
// misread version block does not stop a code whose data are readable.

// qrTemplate holds the function-pattern modules of one QR size.
type qrTemplate struct {
	dim     int
	version *decoder.Version
	x, y    []int16 // module coordinates
	dark    []bool
	weight  []int8
	kind    []qrModuleKind
	total   int
}

// qrModuleKind says which function pattern a template module belongs to.
type qrModuleKind int8

const (
	qrFinder qrModuleKind = iota
	qrTiming
	qrAlignment
	qrDarkModule
	qrVersionInfo
)

// Weights of the kinds in the fit: the timing and alignment patterns pin
// the grid down across the code, the finder patterns only at three corners.
var qrWeight = [...]int8{qrFinder: 1, qrTiming: 3, qrAlignment: 2, qrDarkModule: 2, qrVersionInfo: 2}

func newQRTemplate(dim int) (*qrTemplate, error) {
	v, err := decoder.Version_GetProvisionalVersionForDimension(dim)
	if err != nil {
		return nil, err
	}
	t := &qrTemplate{dim: dim, version: v}
	add := func(x, y int, dark bool, k qrModuleKind) {
		if x < 0 || y < 0 || x >= dim || y >= dim {
			return
		}
		t.x, t.y = append(t.x, int16(x)), append(t.y, int16(y))
		t.dark = append(t.dark, dark)
		t.weight = append(t.weight, qrWeight[k])
		t.kind = append(t.kind, k)
		t.total += int(qrWeight[k])
	}
	// Finder patterns with separators.
	for _, c := range [][2]int{{3, 3}, {dim - 4, 3}, {3, dim - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				r := max(iabs(dx), iabs(dy))
				add(c[0]+dx, c[1]+dy, r <= 1 || r == 3, qrFinder)
			}
		}
	}
	// Timing patterns.
	for i := 8; i < dim-8; i++ {
		add(i, 6, i%2 == 0, qrTiming)
		add(6, i, i%2 == 0, qrTiming)
	}
	// Alignment patterns (not those in the finder corners).
	for _, c := range qrAlignmentCentres(v, dim) {
		for dy := -2; dy <= 2; dy++ {
			for dx := -2; dx <= 2; dx++ {
				r := max(iabs(dx), iabs(dy))
				add(c[0]+dx, c[1]+dy, r != 1, qrAlignment)
			}
		}
	}
	add(8, dim-8, true, qrDarkModule)
	if vn := v.GetVersionNumber(); vn >= 7 {
		bits := decoder.VERSION_DECODE_INFO[vn-7]
		for k := 0; k < 18; k++ {
			i, j := dim-11+k%3, k/3
			on := bits>>uint(k)&1 == 1
			add(i, j, on, qrVersionInfo)
			add(j, i, on, qrVersionInfo)
		}
	}
	return t, nil
}

// qrAlignmentCentres lists the alignment pattern centres of a version in
// module coordinates, leaving out the three in the finder corners.
func qrAlignmentCentres(v *decoder.Version, dim int) [][2]int {
	cs := v.GetAlignmentPatternCenters()
	var out [][2]int
	for _, y := range cs {
		for _, x := range cs {
			if (x < 10 && y < 10) || (x > dim-10 && y < 10) || (x < 10 && y > dim-10) {
				continue
			}
			out = append(out, [2]int{x, y})
		}
	}
	return out
}

func iabs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// qrGrid maps module coordinates (module centres at i+0.5) to image points:
// a perspective transform through four corner points, plus optional local
// offsets interpolated between alignment patterns.
type qrGrid struct {
	dim  int
	pts  [8]float64 // image points of module points (3.5,3.5) (d-3.5,3.5) (d-3.5,d-3.5) (3.5,d-3.5)
	tr   *common.PerspectiveTransform
	offs *qrOffsets
}

func (g *qrGrid) update() {
	d := float64(g.dim) - 3.5
	p := g.pts
	g.tr = common.PerspectiveTransform_QuadrilateralToQuadrilateral(3.5, 3.5, d, 3.5, d, d, 3.5, d,
		p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
}

// at returns the image point of module coordinates (mx, my).
func (g *qrGrid) at(mx, my float64) (float64, float64) {
	xy := []float64{mx, my}
	g.tr.TransformPoints(xy)
	if g.offs != nil {
		dx, dy := g.offs.at(mx, my)
		xy[0] += dx
		xy[1] += dy
	}
	return xy[0], xy[1]
}

// score is the weighted number of template modules sampled right.
func (g *qrGrid) score(bm *gozxing.BitMatrix, t *qrTemplate) int {
	w, h := bm.GetWidth(), bm.GetHeight()
	s := 0
	for i := range t.x {
		x, y := g.at(float64(t.x[i])+0.5, float64(t.y[i])+0.5)
		ix, iy := int(x), int(y)
		if ix < 0 || iy < 0 || ix >= w || iy >= h {
			continue
		}
		if bm.Get(ix, iy) == t.dark[i] {
			s += int(t.weight[i])
		}
	}
	return s
}

// jiggle moves the four corner points while the score rises.
func (g *qrGrid) jiggle(bm *gozxing.BitMatrix, t *qrTemplate, module float64) int {
	best := g.score(bm, t)
	for step := module / 2; step >= module/8; step /= 2 {
		for pass := 0; pass < 4; pass++ {
			improved := false
			for i := range g.pts {
				for _, d := range [2]float64{step, -step} {
					g.pts[i] += d
					g.update()
					if s := g.score(bm, t); s > best {
						best, improved = s, true
						break
					}
					g.pts[i] -= d
					g.update()
				}
			}
			if !improved {
				break
			}
		}
	}
	return best
}

// sample reads the module grid.
func (g *qrGrid) sample(bm *gozxing.BitMatrix) (*gozxing.BitMatrix, bool) {
	out, err := gozxing.NewSquareBitMatrix(g.dim)
	if err != nil {
		return nil, false
	}
	w, h := bm.GetWidth(), bm.GetHeight()
	for my := 0; my < g.dim; my++ {
		for mx := 0; mx < g.dim; mx++ {
			x, y := g.at(float64(mx)+0.5, float64(my)+0.5)
			ix, iy := int(x), int(y)
			if ix < -1 || iy < -1 || ix > w || iy > h {
				return nil, false // the grid leaves the image
			}
			ix, iy = min(max(ix, 0), w-1), min(max(iy, 0), h-1)
			if bm.Get(ix, iy) {
				out.Set(mx, my)
			}
		}
	}
	return out, true
}

// qrOffsets are image offsets measured at alignment-pattern centres (and
// zero at the finder patterns), interpolated bilinearly over the grid of
// alignment positions.
type qrOffsets struct {
	pos    []float64 // alignment positions (module coordinates of centres, +0.5)
	dx, dy []float64 // len(pos)², row-major; NaN where not measured
}

func (o *qrOffsets) at(mx, my float64) (float64, float64) {
	n := len(o.pos)
	cell := func(v float64) (int, float64) {
		if v <= o.pos[0] {
			return 0, 0
		}
		for i := 1; i < n; i++ {
			if v <= o.pos[i] {
				return i - 1, (v - o.pos[i-1]) / (o.pos[i] - o.pos[i-1])
			}
		}
		return n - 2, 1
	}
	i, fx := cell(mx)
	j, fy := cell(my)
	get := func(v []float64, a, b int) float64 { return v[b*n+a] }
	lerp := func(v []float64) float64 {
		top := get(v, i, j)*(1-fx) + get(v, i+1, j)*fx
		bot := get(v, i, j+1)*(1-fx) + get(v, i+1, j+1)*fx
		return top*(1-fy) + bot*fy
	}
	return lerp(o.dx), lerp(o.dy)
}

// fitOffsets searches each alignment pattern near where g puts it and
// records the offsets; positions without a pattern found get the mean of
// their measured neighbours (zero at the finder corners).
func (g *qrGrid) fitOffsets(bm *gozxing.BitMatrix, t *qrTemplate, module float64) {
	cs := t.version.GetAlignmentPatternCenters()
	if len(cs) < 3 {
		return
	}
	n := len(cs)
	o := &qrOffsets{pos: make([]float64, n), dx: make([]float64, n*n), dy: make([]float64, n*n)}
	for i, c := range cs {
		o.pos[i] = float64(c) + 0.5
	}
	found := make([]bool, n*n)
	for j, cy := range cs {
		for i, cx := range cs {
			k := j*n + i
			if (i == 0 && j == 0) || (i == n-1 && j == 0) || (i == 0 && j == n-1) {
				found[k] = true // finder corner: the fit holds there
				continue
			}
			x, y := g.at(float64(cx)+0.5, float64(cy)+0.5)
			if ap, ok := findAlignment(bm, x, y, module); ok {
				o.dx[k], o.dy[k] = ap.GetX()-x, ap.GetY()-y
				found[k] = true
			}
		}
	}
	for k := range found {
		if found[k] {
			continue
		}
		i, j := k%n, k/n
		sx, sy, m := 0.0, 0.0, 0
		for _, nb := range [][2]int{{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}} {
			if nb[0] >= 0 && nb[1] >= 0 && nb[0] < n && nb[1] < n && found[nb[1]*n+nb[0]] {
				sx, sy, m = sx+o.dx[nb[1]*n+nb[0]], sy+o.dy[nb[1]*n+nb[0]], m+1
			}
		}
		if m > 0 {
			o.dx[k], o.dy[k] = sx/float64(m), sy/float64(m)
		}
	}
	g.offs = o
}

// findAlignment looks for an alignment pattern within 2.5 modules of (x, y).
func findAlignment(bm *gozxing.BitMatrix, x, y, module float64) (gozxing.ResultPoint, bool) {
	r := int(math.Ceil(2.5*module)) + 2
	x0, y0 := max(0, int(x)-r), max(0, int(y)-r)
	x1, y1 := min(bm.GetWidth()-1, int(x)+r), min(bm.GetHeight()-1, int(y)+r)
	if float64(x1-x0) < 3*module || float64(y1-y0) < 3*module {
		return nil, false
	}
	ap, err := detector.NewAlignmentPatternFinder(bm, x0, y0, x1-x0, y1-y0, module, nil).Find()
	if err != nil || ap == nil {
		return nil, false
	}
	if math.Hypot(ap.GetX()-x, ap.GetY()-y) > 2*module {
		return nil, false
	}
	return ap, true
}

// qrImage is a binarised image with the luminance it came from (lum may be
// nil).
type qrImage struct {
	bm  *gozxing.BitMatrix
	lum *gray
}

// decodeQRFitted decodes the QR code whose finder patterns are tl, tr, bl
// (image points, ZXing's order) with a fitted grid. align is ZXing's
// alignment pattern or nil; dim its estimated dimension.
func decodeQRFitted(im qrImage, tl, tr, bl, align gozxing.ResultPoint, dim int, hints map[gozxing.DecodeHintType]interface{}) (*common.DecoderResult, []gozxing.ResultPoint) {
	bm := im.bm
	for k, d := range []int{dim, dim + 4, dim - 4} {
		t, err := newQRTemplate(d)
		if err != nil || d < 21 {
			continue
		}
		module := math.Hypot(tr.GetX()-tl.GetX(), tr.GetY()-tl.GetY()) / float64(d-7)
		if module < 1 {
			continue
		}
		// ZXing's alignment pattern may be a wrong one: start from the
		// better of the grids with and without it.
		g := initialGrid(tl, tr, bl, nil, d)
		if align != nil {
			if ga := initialGrid(tl, tr, bl, align, d); ga.score(bm, t) > g.score(bm, t) {
				g = ga
			}
		}
		if float64(g.score(bm, t)) < 0.5*float64(t.total) {
			continue // no QR code of this size here
		}
		s := g.jiggle(bm, t, module)
		if float64(s) < 0.75*float64(t.total) {
			continue
		}
		if res := decodeGrid(g, im, t, hints); res != nil {
			return res, gridPoints(g)
		}
		g.fitOffsets(bm, t, module)
		if g.offs != nil {
			if res := decodeGrid(g, im, t, hints); res != nil {
				return res, gridPoints(g)
			}
		}
		if k == 0 && float64(s) >= 0.9*float64(t.total) {
			break // the size fits; another one will not
		}
	}
	return nil, nil
}

func initialGrid(tl, tr, bl, align gozxing.ResultPoint, d int) *qrGrid {
	g := &qrGrid{dim: d}
	brx := tr.GetX() - tl.GetX() + bl.GetX()
	bry := tr.GetY() - tl.GetY() + bl.GetY()
	if align != nil {
		// The alignment pattern sits 3 modules inside the bottom-right
		// finder position: extrapolate the corner point from it.
		f := float64(d-7) / float64(d-10)
		brx = tl.GetX() + f*(align.GetX()-tl.GetX())
		bry = tl.GetY() + f*(align.GetY()-tl.GetY())
	}
	g.pts = [8]float64{tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), brx, bry, bl.GetX(), bl.GetY()}
	g.update()
	return g
}

// decodeGrid samples the grid from the binarised image and decodes it; when
// that fails and the luminance is known, the modules are read again from
// the luminance (interpolated at the module centres) with thresholds taken
// from the template modules: blurred small modules that the binariser
// merged are often still apart there.
func decodeGrid(g *qrGrid, im qrImage, t *qrTemplate, hints map[gozxing.DecodeHintType]interface{}) *common.DecoderResult {
	if bits, ok := g.sample(im.bm); ok {
		if res := decodeBits(bits, t, hints); res != nil {
			return res
		}
	}
	if im.lum == nil {
		return nil
	}
	vals, ok := g.sampleGray(im.lum)
	if !ok {
		return nil
	}
	var sd, sl float64
	var nd, nl int
	for i := range t.x {
		v := vals[int(t.y[i])*t.dim+int(t.x[i])]
		if t.dark[i] {
			sd, nd = sd+v, nd+1
		} else {
			sl, nl = sl+v, nl+1
		}
	}
	if nd == 0 || nl == 0 {
		return nil
	}
	dark, light := sd/float64(nd), sl/float64(nl)
	if light-dark < 8 {
		return nil
	}
	for _, f := range []float64{0.5, 0.4, 0.6} {
		th := dark + f*(light-dark)
		bits, _ := gozxing.NewSquareBitMatrix(t.dim)
		for i, v := range vals {
			if v < th {
				bits.Set(i%t.dim, i/t.dim)
			}
		}
		if res := decodeBits(bits, t, hints); res != nil {
			return res
		}
	}
	return nil
}

// sampleGray returns the luminance at every module centre (bilinear).
func (g *qrGrid) sampleGray(lum *gray) ([]float64, bool) {
	out := make([]float64, g.dim*g.dim)
	for my := 0; my < g.dim; my++ {
		for mx := 0; mx < g.dim; mx++ {
			x, y := g.at(float64(mx)+0.5, float64(my)+0.5)
			if x < -1 || y < -1 || x > float64(lum.w) || y > float64(lum.h) {
				return nil, false
			}
			out[my*g.dim+mx] = lum.bilinear(x-0.5, y-0.5)
		}
	}
	return out, true
}

// decodeBits writes the version information the dimension fixes into bits
// (from version 7 on) and decodes them.
func decodeBits(bits *gozxing.BitMatrix, t *qrTemplate, hints map[gozxing.DecodeHintType]interface{}) *common.DecoderResult {
	for i := range t.x {
		if t.kind[i] != qrVersionInfo {
			continue
		}
		if t.dark[i] {
			bits.Set(int(t.x[i]), int(t.y[i]))
		} else {
			bits.Unset(int(t.x[i]), int(t.y[i]))
		}
	}
	res, err := decoder.NewDecoder().Decode(bits, hints)
	if err != nil {
		return nil
	}
	return res
}

// gridPoints returns the image points of the finder centres and the
// bottom-right corner (for the symbol's box).
func gridPoints(g *qrGrid) []gozxing.ResultPoint {
	d := float64(g.dim)
	var out []gozxing.ResultPoint
	for _, m := range [][2]float64{{0, 0}, {d, 0}, {d, d}, {0, d}} {
		x, y := g.at(m[0], m[1])
		out = append(out, gozxing.NewResultPoint(x, y))
	}
	return out
}
