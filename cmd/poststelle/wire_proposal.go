package main

import (
	"poststelle/mailroom"
	"poststelle/mailroom/proposal"
)

func init() {
	wirers["35-proposal"] = func(w *wiring, e *mailroom.Engine) error {
		e.Proposers = append(e.Proposers, proposal.Text{})
		return nil
	}
}
