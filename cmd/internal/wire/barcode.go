package wire

import (
	"fmt"

	"poststelle/barcode"
	"poststelle/mailroom/engine"
)

// Barcode capability: symbol and patch-code detection and the separator rules
// for the split step.
func init() {
	register("30-barcode", func(w *Wiring, e *engine.Engine) error {
		if !w.Cfg.Separators.Enabled {
			return nil
		}
		rules, err := barcode.NewRules(w.Cfg.Separators)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		e.Detector = barcode.New(barcode.Options{})
		e.Rules = rules
		return nil
	})
}
