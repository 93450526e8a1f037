package wire

import (
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/ocr"
	"poststelle/ocr/ocrcache"
	"poststelle/scan"
)

// Recognition needs tesseract single-threaded: programs call
// ocr.SingleThreaded first thing (it re-executes with OMP_THREAD_LIMIT=1).
func init() {
	// Recognition: page decoding for the split step, and OCR to PDF/A.
	register("20-recognition", func(w *Wiring, e *engine.Engine) error {
		rc := w.Cfg.Recognition
		e.Opener = scan.NewOpener(scan.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
		if w.without(Recognition) {
			return nil
		}
		pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
		if err != nil {
			return fmt.Errorf("recognition: %w", err)
		}
		scan.LimitMemory(pool.Workers())
		var orient scan.Orienter
		if rc.AutoRotate {
			orient = pool
		}
		// auto_split = apply recognises the parts of a split document
		// again: the cache answers their pages without tesseract.
		var rec mailroom.Recognizer = pool
		if w.Cfg.Separators.AutoSplitMode() == mailroom.AutoSplitApply {
			rec = ocrcache.New(pool, 0)
		}
		e.Recognition = scan.NewRecognition(scan.RecognitionOptions{Config: rc, Recognizer: rec, Orienter: orient,
			Workers: pool.Workers(), Log: w.Log.With("component", "recognition")})
		return nil
	})
}
