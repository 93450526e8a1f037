package mailroom

import "errors"

// InputError is bad input: a file that cannot be opened, decoded or accepted.
// It carries a reason in German (for the clerk) and in English. A document
// with an InputError goes to quarantine; its original stays.
type InputError struct {
	DE, EN string
	Err    error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return e.EN + ": " + e.Err.Error()
	}
	return e.EN
}

func (e *InputError) Unwrap() error { return e.Err }

// Reason is the text stored with the quarantined document: German, then English.
func (e *InputError) Reason() string {
	r := e.DE + " / " + e.EN
	if e.Err != nil {
		r += " (" + e.Err.Error() + ")"
	}
	return r
}

// BadInput makes an InputError.
func BadInput(de, en string, err error) error {
	return &InputError{DE: de, EN: en, Err: err}
}

// AsInputError returns the InputError in err's chain, if any.
func AsInputError(err error) (*InputError, bool) {
	var ie *InputError
	ok := errors.As(err, &ie)
	return ie, ok
}

type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying: the item waits for an operator.
// Errors not marked permanent are retried with backoff.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// ErrDuplicate is returned by intake when the same content from the same
// source is already stored. The source may acknowledge the item.
var ErrDuplicate = errors.New("duplicate: this content from this source is already stored")
