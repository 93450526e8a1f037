package barcode

import (
	"encoding/binary"
	"image"
	"sort"
)

// Candidate search for 2D codes the reduced page cannot resolve.
//
// A QR code or DataMatrix whose modules are 2–3 px at 300 dpi turns into a
// grey, finely textured square on the ~150 dpi copy: the readers cannot find
// its finder patterns there, but the texture is unlike anything else on a
// letter. The page is cut into tiles of about 1 mm; a tile is code-like when
// it is dark enough on average (a code is about half ink, running text far
// less) and changes between dark and light often in both directions (modules
// of one reduced pixel, where letters have strokes of 2–4 px with white
// between). Code-like tiles are joined into regions; compact, roughly square
// regions of bounded size that no decoded symbol covers become candidates,
// best first, at most maxMatrixCandidates per page.

// maxMatrixCandidates bounds the full-resolution decoding per page.
const maxMatrixCandidates = 4

// matrixRegion is a candidate region on the reduced page.
type matrixRegion struct {
	box      image.Rectangle // reduced-page coordinates, margin included
	windows  int             // code-like windows in the region
	checkers int             // checkerboard cells in the region
}

// tileGrid holds per-tile measures of a gray image cut into t×t tiles.
type tileGrid struct {
	t, tw, th int
	mid       byte      // dark below, light at or above
	ink       []float32 // mean darkness relative to the page's contrast, 0..1
	hd, vd    []float32 // horizontal / vertical dark-light changes per full-resolution pixel
	ck        []uint16  // checkerboard 2×2 cells at full resolution (dark diagonal, light anti-diagonal or vice versa)
	inkWin    []bool    // windows (by top-left tile) as dark as a code
}

// levels estimates paper white and ink black from a sample of g.
func levels(g *gray) (paper, black int) {
	var hist [256]int
	n := 0
	for i := 0; i < len(g.pix); i += 23 { // about 100 000 samples on an A4 page
		hist[g.pix[i]]++
		n++
	}
	acc := 0
	black, paper = -1, 255
	for v := 0; v < 256; v++ {
		acc += hist[v]
		if black < 0 && acc*200 >= n { // 0.5th percentile
			black = v
		}
		if acc*100 >= n*90 { // 90th percentile
			paper = v
			break
		}
	}
	return paper, max(black, 0)
}

// newTileGrid measures the reduced page g (full reduced by f) in tiles of t
// pixels (t even, at most 64; the remainder at the right and bottom edges is
// left out). Transitions are counted only in tiles with some ink: most of a
// page is paper.
func newTileGrid(full *fullRes, g *gray, f, t int) *tileGrid {
	tw, th := g.w/t, g.h/t
	tg := &tileGrid{t: t, tw: tw, th: th}
	if tw < 1 || th < 1 {
		return tg
	}
	paper, black := levels(g)
	tg.mid = byte((paper + black) / 2)
	tg.measureInk(g, paper, float32(max(64, paper-black)))
	tg.measureTransitions(full, f, tg.markInkWindows())
	return tg
}

// measureInk sets each tile's mean darkness relative to the page's contrast
// span. Tile sums: bytes are added in pairs, four pairs to a uint64 (16-bit
// lanes; t <= 64 rows of 2×255 fit), then the pairs of a tile are summed.
func (tg *tileGrid) measureInk(g *gray, paper int, span float32) {
	t, tw, th := tg.t, tg.tw, tg.th
	tg.ink = make([]float32, tw*th)
	area := float32(t * t)
	rowBytes := tw * t
	chunks := rowBytes / 8
	lanes := make([]uint64, chunks)
	pairs := make([]uint32, rowBytes/2)
	const m = 0x00ff00ff00ff00ff
	w := g.w
	for ty := 0; ty < th; ty++ {
		clear(lanes)
		clear(pairs[chunks*4:])
		for y := ty * t; y < (ty+1)*t; y++ {
			row := g.pix[y*w : y*w+rowBytes]
			for k := range lanes {
				v := binary.LittleEndian.Uint64(row[8*k:])
				lanes[k] += v&m + (v>>8)&m
			}
			for j := chunks * 4; j < len(pairs); j++ {
				pairs[j] += uint32(row[2*j]) + uint32(row[2*j+1])
			}
		}
		for k, v := range lanes {
			pairs[4*k] = uint32(v & 0xffff)
			pairs[4*k+1] = uint32(v >> 16 & 0xffff)
			pairs[4*k+2] = uint32(v >> 32 & 0xffff)
			pairs[4*k+3] = uint32(v >> 48)
		}
		half := t / 2
		for tx := 0; tx < tw; tx++ {
			s := uint32(0)
			for _, p := range pairs[tx*half : tx*half+half] {
				s += p
			}
			ink := (float32(paper) - float32(s)/area) / span
			tg.ink[ty*tw+tx] = min(max(ink, 0), 1)
		}
	}
}

// markInkWindows marks the windows as dark as a code (tg.inkWin) and
// returns the tiles inside them, whose full-resolution pixels are measured.
func (tg *tileGrid) markInkWindows() []bool {
	tw, th := tg.tw, tg.th
	need := make([]bool, tw*th)
	tg.inkWin = make([]bool, tw*th)
	const k = codeWindow
	for ty := 0; ty+k <= th; ty++ {
		for tx := 0; tx+k <= tw; tx++ {
			if tg.ink[ty*tw+tx] >= codeTileInkMin && tg.inkWindow(tx, ty) {
				tg.inkWin[ty*tw+tx] = true
				for dy := 0; dy < k; dy++ {
					for dx := 0; dx < k; dx++ {
						need[(ty+dy)*tw+tx+dx] = true
					}
				}
			}
		}
	}
	return need
}

// measureTransitions counts dark/light changes and checkerboard cells on
// the full-resolution pixels of the needed tiles, where modules of 2–3 px
// are still resolved.
func (tg *tileGrid) measureTransitions(full *fullRes, f int, need []bool) {
	tw, th := tg.tw, tg.th
	tg.hd = make([]float32, tw*th)
	tg.vd = make([]float32, tw*th)
	tg.ck = make([]uint16, tw*th)
	ft := tg.t * f
	farea := float32(ft * ft)
	mid := tg.mid
	buf := make([]byte, (ft+1)*(ft+1))
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			i := ty*tw + tx
			if !need[i] {
				continue
			}
			// The tile's pixels and one more column and row: pairs
			// (x, x+1) and (y, y+1) inside the page.
			r := image.Rect(tx*ft, ty*ft, min((tx+1)*ft+1, full.w), min((ty+1)*ft+1, full.h))
			blk, bw := full.block(r, buf), r.Dx()
			h, v, ck := 0, 0, 0
			for y := 0; y+1 < r.Dy(); y++ {
				row, next := blk[y*bw:(y+1)*bw], blk[(y+1)*bw:(y+2)*bw]
				for x := 0; x+1 < bw; x++ {
					a, b := dark(row[x], mid), dark(row[x+1], mid)
					c, d := dark(next[x], mid), dark(next[x+1], mid)
					h += a ^ b
					v += a ^ c
					ck += (a ^ b) & (a ^ c) & (1 ^ a ^ d) // a≠b, a≠c, a=d
				}
			}
			tg.hd[i] = float32(h) / farea
			tg.vd[i] = float32(v) / farea
			tg.ck[i] = uint16(ck)
		}
	}
}

// dark is 1 for a pixel below the threshold mid, else 0 (without a branch).
func dark(p, mid byte) int {
	if p < mid {
		return 1
	}
	return 0
}

// Thresholds of a code-like window of 3×3 tiles (see the comment above).
const (
	codeInkMin     = 0.30 // mean darkness of the window
	codeInkMax     = 0.85
	codeTileInkMin = 0.12 // every tile of the window has some ink
	codeTransMin   = 0.10 // mean transitions per full-resolution pixel, in each direction
	// minCheckers: a region must hold this many 2×2 checkerboard cells.
	minCheckers = 3
	// minWindows: a region holds at least this many code-like windows
	// (a code of about 24×16 px at 300 dpi).
	minWindows = 3
	// codeWindow: windows of codeWindow×codeWindow tiles.
	codeWindow = 2
)

// inkWindow reports whether the window of codeWindow×codeWindow tiles at
// (tx, ty) is as dark as the inside of a code: every tile has some ink and
// the mean is about half ink.
func (tg *tileGrid) inkWindow(tx, ty int) bool {
	var ink float32
	for dy := 0; dy < codeWindow; dy++ {
		for _, v := range tg.ink[(ty+dy)*tg.tw+tx : (ty+dy)*tg.tw+tx+codeWindow] {
			if v < codeTileInkMin {
				return false
			}
			ink += v
		}
	}
	return ink >= codeWindow*codeWindow*codeInkMin && ink <= codeWindow*codeWindow*codeInkMax
}

// windows marks every window of codeWindow×codeWindow tiles (indexed by its
// top-left tile) that looks like the inside of a 2D code.
func (tg *tileGrid) windows() []bool {
	out := make([]bool, tg.tw*tg.th)
	const k = codeWindow
	for ty := 0; ty+k <= tg.th; ty++ {
		for tx := 0; tx+k <= tg.tw; tx++ {
			if !tg.inkWin[ty*tg.tw+tx] {
				continue
			}
			var hd, vd float32
			for dy := 0; dy < k; dy++ {
				for dx := 0; dx < k; dx++ {
					i := (ty+dy)*tg.tw + tx + dx
					hd += tg.hd[i]
					vd += tg.vd[i]
				}
			}
			if hd >= k*k*codeTransMin && vd >= k*k*codeTransMin {
				out[ty*tg.tw+tx] = true
			}
		}
	}
	return out
}

// findMatrixRegions returns candidate 2D-code regions of the reduced page g
// (resolution dpi), best first, leaving out regions that overlap covered;
// at most limit of them (no limit when limit <= 0).
func findMatrixRegions(full *fullRes, g *gray, f int, dpi float64, covered []image.Rectangle, limit int) []matrixRegion {
	t := max(4, 2*int(dpi/74+0.5)) // about 0.7 mm, even; windows of 3×3 tiles
	tg := newTileGrid(full, g, f, t)
	if tg.tw < codeWindow || tg.th < codeWindow {
		return nil
	}
	maxSide := int(1.6 * dpi) // larger codes have modules the reduced page resolves
	var regions []matrixRegion
	for _, c := range tg.components(tg.windows()) {
		if r, ok := tg.region(full, c, f, maxSide, covered); ok {
			regions = append(regions, r)
		}
	}
	sort.SliceStable(regions, func(i, j int) bool { return regions[i].checkers > regions[j].checkers })
	// Margin: a tile plus 0.1 in for the edge tiles that were not code-like
	// and the quiet zone the readers need.
	return mergeRegions(regions, t+int(dpi*0.1), image.Rect(0, 0, g.w, g.h), limit)
}

// tileComponent is a connected set of code-like windows: its number of
// windows and the bounds of their top-left tiles.
type tileComponent struct {
	n              int
	x0, y0, x1, y1 int
}

// components finds the 8-connected components of the marked windows.
func (tg *tileGrid) components(win []bool) []tileComponent {
	seen := make([]bool, len(win))
	var out []tileComponent
	var stack []int
	for start := range seen {
		if seen[start] || !win[start] {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], start)
		c := tileComponent{x0: tg.tw, y0: tg.th, x1: -1, y1: -1}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			c.n++
			x, y := i%tg.tw, i/tg.tw
			c.x0, c.y0, c.x1, c.y1 = min(c.x0, x), min(c.y0, y), max(c.x1, x), max(c.y1, y)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= tg.tw || yy >= tg.th {
						continue
					}
					if j := yy*tg.tw + xx; !seen[j] && win[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// region turns a component into a candidate region when it is shaped like
// a 2D code (see the package comment above) and no decoded symbol covers it.
func (tg *tileGrid) region(full *fullRes, c tileComponent, f, maxSide int, covered []image.Rectangle) (matrixRegion, bool) {
	t := tg.t
	if c.n < minWindows {
		return matrixRegion{}, false
	}
	bw, bh := c.x1-c.x0+codeWindow, c.y1-c.y0+codeWindow // in tiles
	if max(bw, bh)*t > maxSide || max(bw, bh) > 5*min(bw, bh) {
		return matrixRegion{}, false // too large, or longer than a rectangular DataMatrix
	}
	if c.n*2 < (bw-codeWindow+1)*(bh-codeWindow+1) {
		return matrixRegion{}, false // sparse: scattered text tiles, not one solid square
	}
	box := image.Rect(c.x0*t, c.y0*t, (c.x1+codeWindow)*t, (c.y1+codeWindow)*t)
	ck := 0
	for yy := c.y0; yy < c.y1+codeWindow; yy++ {
		for xx := c.x0; xx < c.x1+codeWindow; xx++ {
			ck += int(tg.ck[yy*tg.tw+xx])
		}
	}
	if ck < minCheckers {
		return matrixRegion{}, false // letters: smooth strokes, no module corners
	}
	for _, cv := range covered {
		if cv.Overlaps(box) {
			return matrixRegion{}, false
		}
	}
	if rg, cg := profileGaps(full, box.Inset(t/2), f, tg.mid); max(rg, cg) > f {
		return matrixRegion{}, false // light rows or columns inside: letters with gaps between them
	}
	return matrixRegion{box: box, windows: c.n, checkers: ck}, true
}

// mergeRegions widens each region by margin m (within bounds) and merges
// overlapping ones into the better one; at most limit regions (limit <= 0:
// any number).
func mergeRegions(regions []matrixRegion, m int, bounds image.Rectangle, limit int) []matrixRegion {
	var out []matrixRegion
	for _, r := range regions {
		r.box = r.box.Inset(-m).Intersect(bounds)
		merged := false
		for i := range out {
			if out[i].box.Overlaps(r.box) {
				out[i].box = out[i].box.Union(r.box)
				out[i].windows += r.windows
				out[i].checkers += r.checkers
				merged = true
				break
			}
		}
		if !merged && (limit <= 0 || len(out) < limit) {
			out = append(out, r)
		}
	}
	return out
}

// profileEdge: rows and columns at the ends of a region with less dark than
// this are taken for quiet zone.
const profileEdge = 0.10

// profileLight: a row or column with less dark than this is a gap.
const profileLight = 0.02

// profileGaps returns the longest runs of full-resolution rows and of columns
// with almost no dark inside the reduced-page rectangle r. Every row and
// column of a DataMatrix crosses its solid L border; in a QR code only a
// separator beside a finder pattern can be light, one module wide. Between
// letters and lines of text there are light gaps.
func profileGaps(full *fullRes, r image.Rectangle, f int, mid byte) (int, int) {
	r = image.Rect(r.Min.X*f, r.Min.Y*f, r.Max.X*f, r.Max.Y*f).Intersect(image.Rect(0, 0, full.w, full.h))
	if r.Dx() < 2 || r.Dy() < 2 {
		return 0, 0
	}
	rows := make([]int, r.Dy())
	cols := make([]int, r.Dx())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := full.row(y)[r.Min.X:r.Max.X]
		n := 0
		for x, p := range row {
			d := dark(p, mid)
			n += d
			cols[x] += d
		}
		rows[y-r.Min.Y] = n
	}
	// The region may reach a little beyond the code into its quiet zone:
	// light rows or columns at either end are left out. In between, the
	// longest run of rows (columns) with almost no dark counts.
	gap := func(v []int, across int) int {
		a, b := 0, len(v)
		for a < b && float64(v[a]) < profileEdge*float64(across) {
			a++
		}
		for b > a && float64(v[b-1]) < profileEdge*float64(across) {
			b--
		}
		longest, run := 0, 0
		for _, n := range v[a:b] {
			if float64(n) < profileLight*float64(across) {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		return longest
	}
	return gap(rows, r.Dx()), gap(cols, r.Dy())
}
