package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// The metadata form is built from the model's schema (mailroom.FieldSchema:
// the [desk] section of the configuration, or mailroom.DefaultFields), in
// its order, followed by the protection level.

// newForm makes the metadata form, the hint below it and the save button.
func (v *DocumentView) newForm() fyne.CanvasObject {
	l := v.a.L
	form := widget.NewForm()
	for _, f := range v.schema {
		w, e := v.fieldWidget(f)
		v.Fields[f.Key] = e
		if v.first == nil {
			v.first = w
		}
		label := f.Label(string(l))
		if f.Required {
			label += " *"
		}
		form.Append(label, w)
	}
	v.Protect = widget.NewSelect([]string{string(mailroom.ProtectionNormal), string(mailroom.ProtectionHoch),
		string(mailroom.ProtectionSehrHoch)}, nil)
	form.Append(l.T("f.protection"), v.Protect)
	v.Hint = widget.NewLabel("")
	v.Hint.Wrapping = fyne.TextWrapWord
	v.Save = widget.NewButton(l.T("meta.save"), func() { v.SaveMetadata() })
	v.Save.Importance = widget.HighImportance
	return form
}

// fieldWidget makes the input of field f by its kind: the widget placed in
// the form and the entry that holds its text.
func (v *DocumentView) fieldWidget(f mailroom.Field) (fyne.CanvasObject, *widget.Entry) {
	switch f.Kind {
	case mailroom.FieldChoice:
		s := widget.NewSelectEntry(f.Options)
		return s, &s.Entry
	case mailroom.FieldDate:
		e := widget.NewEntry()
		e.SetPlaceHolder("TT.MM.JJJJ")
		e.Validator = func(s string) error {
			if s == "" {
				return nil
			}
			if _, err := parseDate(s); err != nil {
				return fmt.Errorf("%s", v.dateInvalid(f))
			}
			return nil
		}
		return e, e
	}
	e := widget.NewEntry()
	return e, e
}

// dateInvalid is the message for a date field that is not TT.MM.JJJJ. The
// English message names the field in lower case ("date received must be
// …"), acronyms ("IBAN") as they are.
func (v *DocumentView) dateInvalid(f mailroom.Field) string {
	label := f.Label(string(v.a.L))
	if v.a.L == English && label != "" {
		r, n := utf8.DecodeRuneInString(label)
		if next, _ := utf8.DecodeRuneInString(label[n:]); !unicode.IsUpper(next) {
			label = string(unicode.ToLower(r)) + label[n:]
		}
	}
	return v.a.L.T("date.invalid", label)
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, f := range []string{"02.01.2006", "2.1.2006", "2006-01-02"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

// fillForm shows d's metadata in the form; empty fields get the proposal
// (Proposal) and the hint names them.
func (v *DocumentView) fillForm(d *DocView) {
	var proposed []string
	l := v.a.L
	for _, f := range v.schema {
		val := d.Metadata[f.Key]
		if val == "" {
			if p := Proposal(d, f.Key); p != "" {
				val = p
				proposed = append(proposed, f.Label(string(l)))
			}
		}
		if f.Kind == mailroom.FieldDate {
			if t, err := parseDate(val); err == nil {
				val = t.Format("02.01.2006")
			}
		}
		v.Fields[f.Key].SetText(val)
	}
	v.Protect.SetSelected(string(d.Protection))
	if len(proposed) > 0 {
		v.Hint.SetText(l.T("meta.proposal") + ": " + strings.Join(proposed, ", "))
	} else {
		v.Hint.SetText("")
	}
}

// Proposal returns a proposed value for a metadata field from what the
// pipeline found (barcodes, e-invoice, mail headers, intake).
func Proposal(d *DocView, key string) string {
	m := d.Metadata
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(m[k]); v != "" {
				return v
			}
		}
		return ""
	}
	switch key {
	case "document_type":
		return first("document_class", "tag", "tags")
	case "sender":
		return first("seller", "mail_from", "from", "de_mail_sender")
	case "date_received":
		if v := first("mail_date"); v != "" {
			return v
		}
		if !d.Received.IsZero() {
			return d.Received.Local().Format("02.01.2006")
		}
	case "subject":
		if v := first("mail_subject"); v != "" {
			return v
		}
		if n := first("invoice_number", "invoice_id"); n != "" {
			t := first("document_type")
			if t == "" {
				t = "Rechnung"
			}
			return t + " " + n
		}
	case "aktenzeichen":
		return first("file_reference", "asn")
	case "department":
		// A Leitweg-ID names the receiving office, not a department: the
		// department comes from the routing rules (metadata "department"),
		// which fills the field itself.
		return ""
	}
	return ""
}

// Validate checks the required fields and the dates; it returns the
// problems found.
func (v *DocumentView) Validate() []string {
	var bad []string
	l := v.a.L
	for _, f := range v.schema {
		if f.Required && strings.TrimSpace(v.Fields[f.Key].Text) == "" {
			bad = append(bad, l.T("meta.required", f.Label(string(l))))
		}
	}
	for _, f := range v.schema {
		if s := v.Fields[f.Key].Text; f.Kind == mailroom.FieldDate && s != "" {
			if _, err := parseDate(s); err != nil {
				bad = append(bad, v.dateInvalid(f))
			}
		}
	}
	return bad
}

// formValues are the form's values by key, dates as YYYY-MM-DD.
func (v *DocumentView) formValues() map[string]string {
	fields := map[string]string{}
	for _, f := range v.schema {
		val := strings.TrimSpace(v.Fields[f.Key].Text)
		if f.Kind == mailroom.FieldDate && val != "" {
			t, _ := parseDate(val)
			val = t.Format("2006-01-02")
		}
		fields[f.Key] = val
	}
	return fields
}

// SaveMetadata validates and stores the form.
func (v *DocumentView) SaveMetadata() {
	if v.view == nil {
		return
	}
	if bad := v.Validate(); len(bad) > 0 {
		v.Hint.SetText(strings.Join(bad, "\n"))
		v.Hint.Importance = widget.DangerImportance
		v.Hint.Refresh()
		v.a.Status(bad[0])
		return
	}
	v.Hint.Importance = widget.MediumImportance
	fields := v.formValues()
	ref := v.ref()
	prot := mailroom.Protection(v.Protect.Selected)
	changeProt := prot != "" && prot != v.view.Protection
	v.op(func(ctx context.Context) error {
		if err := v.a.Model.UpdateMetadata(ctx, ref, fields); err != nil {
			return err
		}
		if changeProt {
			if err := v.a.Model.SetProtection(ctx, ref, prot); err != nil {
				return err
			}
		}
		v.a.do(func() { v.a.Status(v.a.L.T("meta.saved")); v.Hint.SetText(v.a.L.T("meta.saved")) })
		return nil
	})
}

// FocusFirstField puts the keyboard focus into the first metadata field.
func (v *DocumentView) FocusFirstField() {
	v.a.SelectTab(1)
	if f, ok := v.first.(fyne.Focusable); ok {
		v.a.Win.Canvas().Focus(f)
	}
}
