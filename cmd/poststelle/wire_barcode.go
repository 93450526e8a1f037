package main

import (
	"fmt"

	"poststelle/barcode"
	"poststelle/mailroom"
)

// Barcode capability: symbol and patch-code detection and the separator rules
// for the split step.
func init() {
	wirers["30-barcode"] = func(w *wiring, e *mailroom.Engine) error {
		if !w.cfg.Separators.Enabled {
			return nil
		}
		rules, err := barcode.NewRules(w.cfg.Separators)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		e.Detector = barcode.New(barcode.Options{})
		e.Rules = rules
		return nil
	}
}
