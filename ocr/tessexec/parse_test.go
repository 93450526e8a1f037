package tessexec

import (
	"image"
	"testing"
)

func TestParseTSVBadInput(t *testing.T) {
	for _, in := range []string{
		"header\n5\t1\t1\t1\t1\t1\t10\t10\t5\n",
		"header\n5\t1\tx\t1\t1\t1\t10\t10\t5\t5\t90\tword\n",
		"header\n5\t1\t1\t1\t1\t1\t10\t10\t5\t5\tnan?\tword\n",
	} {
		if _, err := parseTSV([]byte(in), image.Point{}); err == nil {
			t.Errorf("no error for %q", in)
		}
	}
	pt, err := parseTSV([]byte("h\n5\t1\t1\t1\t1\t1\t10\t20\t30\t40\t-1\tA\r\n5\t1\t1\t1\t2\t1\t10\t70\t30\t40\t50\tB\n"), image.Pt(1, 2))
	if err != nil || pt.Text != "A\nB" || pt.Words[0].Box != image.Rect(11, 22, 41, 62) || pt.Confidence != 25 {
		t.Errorf("got %+v %v", pt, err)
	}
}

func TestParseOSD(t *testing.T) {
	deg, conf, ok, err := parseOSD([]byte("Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 9.30\nScript: Latin\n"))
	if deg != 270 || conf != 9.3 || !ok || err != nil {
		t.Errorf("got %d %v %v %v", deg, conf, ok, err)
	}
	if _, _, ok, _ := parseOSD(nil); ok {
		t.Error("empty output: ok")
	}
}
