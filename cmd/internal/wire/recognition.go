package wire

import (
	"fmt"
	"log/slog"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/ocr"
	"poststelle/ocr/ocrcache"
	"poststelle/scan/pages"
	"poststelle/scan/recognition"
)

// Recognition needs tesseract single-threaded: programs call
// ocr.SingleThreaded first thing (it re-executes with OMP_THREAD_LIMIT=1).
func init() {
	// Recognition: page decoding for the split step, and OCR to PDF/A.
	register("20-recognition", func(w *Wiring, e *engine.Engine) error {
		rc := w.Cfg.Recognition
		e.Opener = pages.NewOpener(pages.FromConfig(w.Cfg))
		if w.without(Recognition) {
			return nil
		}
		// auto_split = apply recognises the parts of a split document
		// again: an OCR cache answers their pages without tesseract.
		cache := w.Cfg.Separators.AutoSplitMode() == mailroom.AutoSplitApply
		r, _, err := newRecognition(rc, w.Log.With("component", "recognition"), cache, pages.FromConfig(w.Cfg))
		if err != nil {
			return err
		}
		e.Recognition = r
		return nil
	})
}

// NewRecognition makes the OCR pool of rc (one tesseract engine per worker)
// and the recognition stage over it, with the memory limit for that many
// workers. closePool releases the engines; the engine's pool lives as long
// as the process. poststelle-bench measures exactly this.
func NewRecognition(rc mailroom.RecognitionConfig, log *slog.Logger) (r *recognition.Recognition, closePool func() error, err error) {
	return newRecognition(rc, log, false, pages.Options{})
}

// newRecognition is NewRecognition, with an OCR cache (ocr/ocrcache) in
// front of the pool when cache is set, and the decoding limits po
// (pages.FromConfig; the zero value gives rc's DPI and max_pixels and the
// defaults).
func newRecognition(rc mailroom.RecognitionConfig, log *slog.Logger, cache bool, po pages.Options) (r *recognition.Recognition, closePool func() error, err error) {
	pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
	if err != nil {
		return nil, nil, fmt.Errorf("recognition: %w", err)
	}
	recognition.LimitMemory(pool.Workers())
	var orient recognition.Orienter
	if rc.AutoRotate {
		orient = pool
	}
	var rec mailroom.Recognizer = pool
	if cache {
		rec = ocrcache.New(pool, 0)
	}
	r = recognition.New(recognition.Options{Config: rc, Recognizer: rec, Orienter: orient,
		Workers: pool.Workers(), Pages: po, Log: log})
	return r, pool.Close, nil
}
