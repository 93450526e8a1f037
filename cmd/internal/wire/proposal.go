package wire

import (
	"poststelle/mailroom"
	"poststelle/mailroom/proposal"
)

func init() {
	register("35-proposal", func(w *Wiring, e *mailroom.Engine) error {
		e.Proposers = append(e.Proposers, proposal.Text{})
		return nil
	})
}
