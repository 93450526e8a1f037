package wire

import (
	"poststelle/mailroom/engine"
	"poststelle/mailroom/proposal"
)

func init() {
	register("35-proposal", func(w *Wiring, e *engine.Engine) error {
		e.Proposers = append(e.Proposers, proposal.Text{})
		return nil
	})
}
