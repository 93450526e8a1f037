//go:build !windows

package ocr

import (
	"testing"

	"poststelle/mailroom/recognizertest"
)

func TestRecognizerSuite(t *testing.T) {
	p, err := New(Options{Languages: "eng", Workers: 2, NoOSD: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	recognizertest.Run(t, p, recognizertest.Options{})
}
