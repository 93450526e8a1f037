//go:build !cgo || windows

package pages

import (
	"bytes"
	"image"
	"image/jpeg"

	"poststelle/ocr"
)

// DecodeJPEGGray decodes JPEG data of w×h pixels to gray with image/jpeg
// (builds without libjpeg).
func DecodeJPEGGray(data []byte, w, h int) (*image.Gray, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return ocr.Gray(img), nil
}
