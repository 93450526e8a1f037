package mailroom

import (
	"fmt"
	"strings"
)

// DeskConfig configures the verification desk.
type DeskConfig struct {
	// Fields is the metadata form in order (defaults/60-desk.toml); empty
	// means DefaultFields. A list in a configuration file replaces the
	// default list.
	Fields FieldSchema `toml:"fields"`
}

// Schema is the form the desk shows: the configured fields (an empty kind
// read as text), or DefaultFields when none are configured.
func (d DeskConfig) Schema() FieldSchema {
	if len(d.Fields) == 0 {
		return DefaultFields()
	}
	s := make(FieldSchema, len(d.Fields))
	for i, f := range d.Fields {
		if f.Kind == "" {
			f.Kind = FieldText
		}
		f.Options = append([]string(nil), f.Options...)
		s[i] = f
	}
	return s
}

// engineKeys are metadata keys the engine writes itself; a desk field must
// not overwrite them.
var engineKeys = []string{MetaPageRotations, MetaQA, MetaApprovedBy, MetaApprovedAt, MetaProposed, MetaRecord,
	MetaRecordFile, MetaProposedSplits, MetaDismissedSplits, MetaAutoSplit, MetaAutoSplitDone}

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error { return c.Desk.validate() })
}

func (d DeskConfig) validate() error {
	seen := map[string]bool{}
	for i, f := range d.Fields {
		at := fmt.Sprintf("desk.fields[%d]", i)
		if f.Key == "" || strings.ContainsAny(f.Key, " \t\r\n") {
			return fmt.Errorf("%s.key: %q is empty or contains white space", at, f.Key)
		}
		if seen[f.Key] {
			return fmt.Errorf("%s.key: %q is used twice", at, f.Key)
		}
		seen[f.Key] = true
		for _, k := range engineKeys {
			if f.Key == k {
				return fmt.Errorf("%s.key: %q is written by the engine, not at the desk", at, f.Key)
			}
		}
		if strings.TrimSpace(f.LabelDE) == "" || strings.TrimSpace(f.LabelEN) == "" {
			return fmt.Errorf("%s (%s): label_de and label_en must not be empty", at, f.Key)
		}
		if !f.Kind.Valid() {
			return fmt.Errorf("%s.kind: %q is not one of text, date, choice", at, f.Kind)
		}
		if f.Kind == FieldChoice && len(f.Options) == 0 {
			return fmt.Errorf("%s.options: a choice field needs at least one option", at)
		}
		if f.Kind != FieldChoice && len(f.Options) > 0 {
			return fmt.Errorf("%s.options: only a choice field has options (kind is %q)", at, f.Kind)
		}
	}
	return nil
}
