package wire

import (
	"fmt"

	"poststelle/mailroom/engine"
	"poststelle/ocr"
	"poststelle/scan/pages"
	"poststelle/scan/recognition"
)

// Recognition needs tesseract single-threaded: programs call
// ocr.SingleThreaded first thing (it re-executes with OMP_THREAD_LIMIT=1).
func init() {
	// Recognition: page decoding for the split step, and OCR to PDF/A.
	register("20-recognition", func(w *Wiring, e *engine.Engine) error {
		rc := w.Cfg.Recognition
		e.Opener = pages.NewOpener(pages.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
		if w.without(Recognition) {
			return nil
		}
		pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
		if err != nil {
			return fmt.Errorf("recognition: %w", err)
		}
		recognition.LimitMemory(pool.Workers())
		var orient recognition.Orienter
		if rc.AutoRotate {
			orient = pool
		}
		e.Recognition = recognition.New(recognition.Options{Config: rc, Recognizer: pool, Orienter: orient,
			Workers: pool.Workers(), Log: w.Log.With("component", "recognition")})
		return nil
	})
}
