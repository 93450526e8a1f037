package pdf

import (
	"errors"
	"fmt"
)

// The object model. A PDF object read by this package is one of nil (null),
// bool, int64, float64, Name, String, Array, Dict, Ref, or *Stream. Lexer
// tokens are additionally Keyword and the delimiters "<<", ">>", "[", "]",
// "{", "}" as plain strings.
type (
	// Name is a PDF name without the leading slash, #xx escapes resolved.
	Name string
	// String is a PDF string's bytes (literal or hex), escapes resolved.
	String string
	// Array is a PDF array.
	Array []any
	// Dict is a PDF dictionary; null values are left out.
	Dict map[Name]any
	// Ref is an indirect reference "Num Gen R".
	Ref struct{ Num, Gen int }
	// Stream is a stream object: its dictionary and where its data start.
	Stream struct {
		Dict   Dict
		Offset int64 // of the first data byte in the file
	}
	// Keyword is a bare word that is no number, name or boolean (obj,
	// stream, R, operators in content streams, …).
	Keyword string
)

// ErrUnsupported is wrapped by every error about a structure the reader
// cannot read with certainty (damaged, encrypted, or beyond what it
// supports).
var ErrUnsupported = errors.New("pdf reader: unsupported or damaged structure")

// ErrEOF is returned when the data end inside a token or object.
var ErrEOF = errors.New("pdf reader: unexpected end of data")

func errorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, a...))
}

// Number returns an integer or real object as float64.
func Number(o any) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// Int returns the integer at key, or def when it is absent or no integer.
// A nil Dict is empty.
func (d Dict) Int(key Name, def int64) int64 {
	if v, ok := d[key].(int64); ok {
		return v
	}
	return def
}
