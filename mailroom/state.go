package mailroom

import "fmt"

// State is where a document stands in the mailroom.
type State string

// The document states. Every transition is one store transaction that also
// appends a journal entry.
const (
	StateReceived    State = "received"    // original stored, nothing done yet
	StateSplitting   State = "splitting"   // the batch is being split into documents
	StateRecognising State = "recognising" // waiting for or in recognition (OCR, PDF/A)
	StateReview      State = "review"      // waiting for a person at the desk
	StateApproved    State = "approved"    // released, waiting for delivery
	StateExporting   State = "exporting"   // delivery to the DMS under way
	StateExported    State = "exported"    // delivered, receipt stored
	StateQuarantined State = "quarantined" // bad input or failure; an operator decides
	StateRejected    State = "rejected"    // rejected by staff (or nothing left after splitting)
)

// AllStates lists the states in pipeline order.
var AllStates = []State{
	StateReceived, StateSplitting, StateRecognising, StateReview, StateApproved,
	StateExporting, StateExported, StateQuarantined, StateRejected,
}

var transitions = map[State][]State{
	StateReceived:    {StateSplitting, StateQuarantined},
	StateSplitting:   {StateReceived, StateRecognising, StateQuarantined, StateRejected},
	StateRecognising: {StateReview, StateApproved, StateQuarantined},
	StateReview:      {StateApproved, StateRejected, StateQuarantined, StateReview, StateRecognising}, // → recognising: the desk changed pages; the PDF is re-made
	StateApproved:    {StateExporting, StateReview},
	StateExporting:   {StateExported, StateApproved, StateQuarantined},
	StateExported:    {},
	StateQuarantined: {StateReceived, StateRecognising, StateReview, StateRejected},
	StateRejected:    {StateReview},
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// CanTransition reports whether a document may move from s to to.
func (s State) CanTransition(to State) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// AtRest reports whether a document in state s waits for a person or is done,
// so the automatic pipeline has nothing more to do with it.
func (s State) AtRest() bool {
	switch s {
	case StateReview, StateExported, StateQuarantined, StateRejected:
		return true
	}
	return false
}

// ErrTransition is returned for a transition the state machine does not allow.
type ErrTransition struct {
	From, To State
}

func (e *ErrTransition) Error() string {
	return fmt.Sprintf("state transition %s → %s is not allowed", e.From, e.To)
}
