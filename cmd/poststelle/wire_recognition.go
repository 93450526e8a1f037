package main

import (
	"poststelle/mailroom"
	"poststelle/scan"
)

// Recognition capability: page decoding (scan.Opener) for the split step.
func init() {
	wirers["20-recognition"] = func(w *wiring, e *mailroom.Engine) error {
		rc := w.cfg.Recognition
		e.Opener = scan.NewOpener(scan.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
		return nil
	}
}
