package main

import (
	"fmt"

	"poststelle/mailroom"
	"poststelle/ocr"
	"poststelle/scan"
)

func init() {
	// Tesseract must run single-threaded (one engine per core): libgomp
	// reads OMP_THREAD_LIMIT only at process start, so re-execute with it
	// set if it is missing. Returns without doing anything when it is set.
	ocr.SingleThreaded()

	// Recognition: page decoding for the split step, and OCR to PDF/A.
	wirers["20-recognition"] = func(w *wiring, e *mailroom.Engine) error {
		rc := w.cfg.Recognition
		e.Opener = scan.NewOpener(scan.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
		pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
		if err != nil {
			return fmt.Errorf("recognition: %w", err)
		}
		scan.LimitMemory(pool.Workers())
		var orient scan.Orienter
		if rc.AutoRotate {
			orient = pool
		}
		e.Recognition = scan.NewRecognition(scan.RecognitionOptions{Config: rc, Recognizer: pool, Orienter: orient,
			Workers: pool.Workers(), Log: w.log.With("component", "recognition")})
		return nil
	}
}
