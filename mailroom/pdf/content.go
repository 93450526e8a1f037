package pdf

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoPassthrough says a page is not a single full-page image that can be
// taken over unchanged; the caller renders it instead.
var ErrNoPassthrough = errors.New("page is not a single full-page image")

// NoPassthrough returns an error wrapping ErrNoPassthrough.
func NoPassthrough(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrNoPassthrough, fmt.Sprintf(format, a...))
}

// Matrix is a PDF transformation matrix [a b c d e f].
type Matrix [6]float64

// Identity is the identity matrix.
var Identity = Matrix{1, 0, 0, 1, 0, 0}

// Mul returns m × n (m applied first).
func (m Matrix) Mul(n Matrix) Matrix {
	return Matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// Limits of the content-stream check.
const (
	maxOperands = 16
	maxSaves    = 32
)

// imageDoScan follows the graphics state through a content stream that
// may only use q, Q, cm and Do.
type imageDoScan struct {
	stack []Matrix
	ctm   Matrix
	ops   []any
	name  Name
	at    Matrix
	dos   int
}

// singleImageDo checks that a content stream only draws one XObject (q, Q,
// cm and one Do) and returns its name and the transformation in force.
func singleImageDo(content []byte) (Name, Matrix, error) {
	l := &Lexer{b: content}
	s := &imageDoScan{ctm: Identity}
	for {
		t, err := l.Token()
		if errors.Is(err, ErrEOF) {
			break
		}
		if err != nil {
			return "", s.at, NoPassthrough("content: %v", err)
		}
		if err := s.token(t); err != nil {
			return "", s.at, err
		}
	}
	if len(s.ops) != 0 {
		return "", s.at, NoPassthrough("content: dangling operands")
	}
	if s.dos != 1 {
		return "", s.at, NoPassthrough("content draws %d objects", s.dos)
	}
	return s.name, s.at, nil
}

func (s *imageDoScan) token(t any) error {
	kw, ok := t.(Keyword)
	if !ok {
		if d, isDelim := t.(string); isDelim {
			return NoPassthrough("content: unexpected %q", d)
		}
		s.ops = append(s.ops, t)
		if len(s.ops) > maxOperands {
			return NoPassthrough("content: too many operands")
		}
		return nil
	}
	if err := s.operator(kw); err != nil {
		return err
	}
	if kw != "Do" && kw != "cm" && len(s.ops) != 0 {
		return NoPassthrough("content: operands before %s", string(kw))
	}
	s.ops = s.ops[:0]
	return nil
}

func (s *imageDoScan) operator(kw Keyword) error {
	switch kw {
	case "q":
		if len(s.stack) > maxSaves {
			return NoPassthrough("content: q nested too deeply")
		}
		s.stack = append(s.stack, s.ctm)
	case "Q":
		if len(s.stack) == 0 {
			return NoPassthrough("content: unbalanced Q")
		}
		s.ctm = s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
	case "cm":
		if len(s.ops) != 6 {
			return NoPassthrough("content: cm needs 6 operands")
		}
		var m Matrix
		for i, o := range s.ops {
			v, ok := Number(o)
			if !ok {
				return NoPassthrough("content: cm operand")
			}
			m[i] = v
		}
		s.ctm = m.Mul(s.ctm)
	case "Do":
		n, ok := Name(""), false
		if len(s.ops) == 1 {
			n, ok = s.ops[0].(Name)
		}
		if !ok {
			return NoPassthrough("content: Do operand")
		}
		s.dos++
		s.name, s.at = n, s.ctm
	default:
		return NoPassthrough("content: operator %s", string(kw))
	}
	return nil
}

// placement derives from the image matrix how the image is turned on the
// page (clockwise, 0/90/180/270), its resolution and its box on the page.
// Mirrored or sheared placements are refused.
func placement(m Matrix, w, h int) (rot int, dpi float64, box [4]float64, err error) {
	a, b, c, d := m[0], m[1], m[2], m[3]
	// Directions on the screen (y down) of the image's columns (right)
	// and rows (down): sample (0,0) is the top left, at unit point (0,1).
	rx, ry := a, -b
	dx, dy := -c, d
	lr, ld := math.Hypot(rx, ry), math.Hypot(dx, dy)
	if lr == 0 || ld == 0 {
		return 0, 0, box, NoPassthrough("degenerate image matrix")
	}
	ra, ok1 := axis(rx, ry, lr)
	da, ok2 := axis(dx, dy, ld)
	if !ok1 || !ok2 {
		return 0, 0, box, NoPassthrough("image placed at an angle")
	}
	if da != (ra+1)%4 {
		return 0, 0, box, NoPassthrough("image placed mirrored")
	}
	rot = 90 * ra
	dpiX := float64(w) / (lr / 72)
	dpiY := float64(h) / (ld / 72)
	if math.Abs(dpiX-dpiY) > 0.01*dpiX {
		return 0, 0, box, NoPassthrough("pixels not square (%.1f×%.1f dpi)", dpiX, dpiY)
	}
	dpi = math.Round(dpiX*100) / 100
	if dpi < 50 || dpi > 2400 {
		return 0, 0, box, NoPassthrough("resolution %.0f dpi out of range", dpi)
	}
	return rot, dpi, imageBox(m), nil
}

// axis returns a direction as 0:+x 1:+y 2:-x 3:-y, if it is one of them.
func axis(x, y, l float64) (int, bool) {
	const eps = 1e-3
	switch {
	case math.Abs(y) <= eps*l && x > 0:
		return 0, true
	case math.Abs(x) <= eps*l && y > 0:
		return 1, true
	case math.Abs(y) <= eps*l && x < 0:
		return 2, true
	case math.Abs(x) <= eps*l && y < 0:
		return 3, true
	}
	return 0, false
}

// imageBox returns the bounding box of the unit square under m.
func imageBox(m Matrix) [4]float64 {
	a, b, c, d := m[0], m[1], m[2], m[3]
	xs := []float64{m[4], m[4] + a, m[4] + c, m[4] + a + c}
	ys := []float64{m[5], m[5] + b, m[5] + d, m[5] + b + d}
	box := [4]float64{xs[0], ys[0], xs[0], ys[0]}
	for i := 1; i < 4; i++ {
		box[0], box[2] = math.Min(box[0], xs[i]), math.Max(box[2], xs[i])
		box[1], box[3] = math.Min(box[1], ys[i]), math.Max(box[3], ys[i])
	}
	return box
}

// covers reports whether the image box matches the visible page (crop box
// within the media box) to within 1 % or 2 points on each edge.
func covers(img, media, crop [4]float64) bool {
	vis := [4]float64{math.Max(media[0], crop[0]), math.Max(media[1], crop[1]), math.Min(media[2], crop[2]), math.Min(media[3], crop[3])}
	if vis[2] <= vis[0] || vis[3] <= vis[1] {
		return false
	}
	tx := math.Max(2, 0.01*(vis[2]-vis[0]))
	ty := math.Max(2, 0.01*(vis[3]-vis[1]))
	return math.Abs(img[0]-vis[0]) <= tx && math.Abs(img[2]-vis[2]) <= tx &&
		math.Abs(img[1]-vis[1]) <= ty && math.Abs(img[3]-vis[3]) <= ty
}
