package tessexec

import (
	"fmt"
	"image"
	"strconv"
	"strings"

	"poststelle/mailroom"
)

// parseTSV reads tesseract's TSV output (level, page_num, block_num,
// par_num, line_num, word_num, left, top, width, height, conf, text) and
// builds the page text in reading order — paragraphs separated by a blank
// line, lines by a newline, words by a space, as ocr.Pool does — and the
// word list with boxes offset by off.
func parseTSV(out []byte, off image.Point) (mailroom.PageText, error) {
	var pt mailroom.PageText
	var sb strings.Builder
	var sum float64
	lastBlock, lastPar, lastLine := -1, -1, -1
	for i, row := range strings.Split(string(out), "\n") {
		row = strings.TrimRight(row, "\r")
		if i == 0 || row == "" {
			continue // header
		}
		f := strings.SplitN(row, "\t", 12)
		if len(f) < 12 {
			return pt, fmt.Errorf("tesseract TSV line %d: %d fields, want 12", i+1, len(f))
		}
		if f[0] != "5" { // words only
			continue
		}
		w := strings.TrimSpace(f[11])
		if w == "" {
			continue
		}
		var n [9]int
		for k := 1; k <= 9; k++ {
			v, err := strconv.Atoi(f[k])
			if err != nil {
				return pt, fmt.Errorf("tesseract TSV line %d field %d: %w", i+1, k+1, err)
			}
			n[k-1] = v
		}
		block, par, line := n[1], n[2], n[3]
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			return pt, fmt.Errorf("tesseract TSV line %d conf: %w", i+1, err)
		}
		switch {
		case sb.Len() == 0:
		case block != lastBlock || par != lastPar:
			sb.WriteString("\n\n")
		case line != lastLine:
			sb.WriteString("\n")
		default:
			sb.WriteString(" ")
		}
		lastBlock, lastPar, lastLine = block, par, line
		sb.WriteString(w)
		if conf < 0 {
			conf = 0
		}
		sum += conf
		box := image.Rect(n[5], n[6], n[5]+n[7], n[6]+n[8]).Add(off)
		pt.Words = append(pt.Words, mailroom.Word{Text: w, Box: box, Confidence: conf})
	}
	pt.Text = sb.String()
	if len(pt.Words) > 0 {
		pt.Confidence = sum / float64(len(pt.Words))
	}
	return pt, nil
}
