//go:build cgo && !windows

package pages

/*
#cgo LDFLAGS: -lturbojpeg
#include <turbojpeg.h>
#include <stdio.h>

// pst_decode_gray decodes JPEG data of w×h pixels into 8-bit gray rows;
// it returns 0, or -1 with msg set. The TurboJPEG API keeps its libjpeg
// inside libturbojpeg (no jpeg_* symbols): MuPDF's own libjpeg, linked
// into the same program, cannot collide with it.
static int pst_decode_gray(const unsigned char *data, unsigned long len, unsigned char *out,
                           int w, int h, int stride, char *msg, int msglen) {
	tjhandle tj = tjInitDecompress();
	if (!tj) {
		snprintf(msg, msglen, "%s", tjGetErrorStr2(NULL));
		return -1;
	}
	int jw = 0, jh = 0, sub = 0, cs = 0;
	int rc = tjDecompressHeader3(tj, data, len, &jw, &jh, &sub, &cs);
	if (rc == 0 && (jw != w || jh != h)) {
		snprintf(msg, msglen, "JPEG is %dx%d, expected %dx%d", jw, jh, w, h);
		rc = -1;
	} else if (rc == 0 && cs == TJCS_CMYK) {
		snprintf(msg, msglen, "CMYK JPEG");
		rc = -1;
	} else if (rc == 0) {
		rc = tjDecompress2(tj, data, len, out, w, stride, h, TJPF_GRAY, 0);
		// A warning (e.g. a stream cut short, padded as viewers show it)
		// still gives an image; only errors fail.
		if (rc != 0 && tjGetErrorCode(tj) == TJERR_WARNING) rc = 0;
		if (rc != 0) snprintf(msg, msglen, "%s", tjGetErrorStr2(tj));
	} else {
		snprintf(msg, msglen, "%s", tjGetErrorStr2(tj));
	}
	tjDestroy(tj);
	return rc;
}
*/
import "C"

import (
	"errors"
	"image"
	"unsafe"
)

// DecodeJPEGGray decodes JPEG data of w×h pixels (gray or YCbCr) to gray
// with libjpeg-turbo, the decoder tesseract's own command line reads JPEG
// files with (through leptonica): several times faster than image/jpeg,
// and the pixels the command line sees. Corrupt data give an error.
func DecodeJPEGGray(data []byte, w, h int) (*image.Gray, error) {
	if len(data) == 0 || w <= 0 || h <= 0 {
		return nil, errors.New("empty JPEG")
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	// Both buffers are Go memory without Go pointers, used by C only
	// during the call: allowed by cgo's pointer rules.
	var msg [200]C.char
	if C.pst_decode_gray((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&g.Pix[0])),
		C.int(w), C.int(h), C.int(g.Stride), &msg[0], C.int(len(msg))) != 0 {
		return nil, errors.New(C.GoString(&msg[0]))
	}
	return g, nil
}
