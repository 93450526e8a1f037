//go:build !windows

package ocr

/*
#cgo pkg-config: tesseract lept
#include <stdlib.h>
#include <stdio.h>
#include <tesseract/capi.h>

static TessBaseAPI* osd_new(int *rc) {
	TessBaseAPI* h = TessBaseAPICreate();
	*rc = TessBaseAPIInit3(h, NULL, "osd");
	if (*rc == 0) {
		TessBaseAPISetPageSegMode(h, PSM_OSD_ONLY);
		// OSD works on its own binarised copy whose resolution tesseract
		// does not carry over, and then warns on stderr for every page
		// ("Invalid resolution 0 dpi", "Too few characters"): noise in the
		// service's log. The result is unaffected; send it to /dev/null.
		TessBaseAPISetVariable(h, "debug_file", "/dev/null");
	}
	return h;
}

static int osd_detect(TessBaseAPI* h, const unsigned char* pix, int w, int hgt, int bpl, int ppi,
                      int* deg, float* conf) {
	const char* script = NULL;
	float sconf = 0;
	char buf[16];
	snprintf(buf, sizeof buf, "%d", ppi);
	TessBaseAPISetVariable(h, "user_defined_dpi", buf);
	TessBaseAPISetImage(h, pix, w, hgt, 1, bpl);
	TessBaseAPISetSourceResolution(h, ppi);
	int ok = TessBaseAPIDetectOrientationScript(h, deg, conf, &script, &sconf);
	TessBaseAPIClear(h);
	return ok;
}
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// osd wraps a tesseract engine initialised with osd.traineddata.
type osd struct {
	h *C.TessBaseAPI
}

func newOSD() (*osd, error) {
	var rc C.int
	h := C.osd_new(&rc)
	if rc != 0 {
		C.TessBaseAPIDelete(h)
		return nil, fmt.Errorf("tesseract OSD init failed (is tesseract-ocr-osd installed?): code %d", int(rc))
	}
	return &osd{h: h}, nil
}

// detect returns the clockwise rotation in degrees (0, 90, 180, 270) that
// makes the page upright, and tesseract's confidence. ok is false when
// tesseract found too little text to tell.
func (o *osd) detect(g *image.Gray, dpi float64) (deg int, conf float64, ok bool) {
	b := g.Bounds()
	if dpi < 70 || dpi > 2400 {
		dpi = 300
	}
	if b.Dx() < 16 || b.Dy() < 16 {
		return 0, 0, false
	}
	var d C.int
	var c C.float
	r := C.osd_detect(o.h, (*C.uchar)(unsafe.Pointer(&g.Pix[g.PixOffset(b.Min.X, b.Min.Y)])),
		C.int(b.Dx()), C.int(b.Dy()), C.int(g.Stride), C.int(dpi), &d, &c)
	if r == 0 {
		return 0, 0, false
	}
	// tesseract reports the clockwise rotation the image has; turning it
	// back upright is the opposite turn.
	return (360 - int(d)%360) % 360, float64(c), true
}

func (o *osd) close() {
	if o.h != nil {
		C.TessBaseAPIEnd(o.h)
		C.TessBaseAPIDelete(o.h)
		o.h = nil
	}
}
