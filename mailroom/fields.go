package mailroom

// FieldKind is how a metadata field is entered at the desk.
type FieldKind string

// Field kinds.
const (
	// FieldText is free text.
	FieldText FieldKind = "text"
	// FieldDate is a date, entered as TT.MM.JJJJ and stored as YYYY-MM-DD.
	FieldDate FieldKind = "date"
	// FieldChoice offers the field's Options; free text is allowed too.
	FieldChoice FieldKind = "choice"
)

// Valid reports whether k is a known kind ("" counts as text).
func (k FieldKind) Valid() bool {
	switch k {
	case "", FieldText, FieldDate, FieldChoice:
		return true
	}
	return false
}

// Field is one metadata field of the desk's form.
type Field struct {
	// Key is the metadata key the value is stored under (metadata.json,
	// targets.mapping).
	Key string `toml:"key"`
	// LabelDE and LabelEN are what the clerk reads, German and English.
	LabelDE string `toml:"label_de"`
	LabelEN string `toml:"label_en"`
	// Required: the desk does not save the form while the field is empty.
	Required bool `toml:"required"`
	// Kind is text (also ""), date or choice.
	Kind FieldKind `toml:"kind"`
	// Options are the values a choice field offers.
	Options []string `toml:"options"`
}

// Label is the field's label in language lang: "en" English, else German.
func (f Field) Label(lang string) string {
	if lang == "en" {
		return f.LabelEN
	}
	return f.LabelDE
}

// FieldSchema is the desk's metadata form: the fields in form order.
type FieldSchema []Field

// Field returns the field with key k.
func (s FieldSchema) Field(k string) (Field, bool) {
	for _, f := range s {
		if f.Key == k {
			return f, true
		}
	}
	return Field{}, false
}

// DocumentTypes are the document types the default form offers.
var DocumentTypes = []string{"Eingangspost", "Rechnung", "Gutschrift", "Antrag", "Widerspruch", "Bescheid",
	"Vertrag", "Mahnung", "Schreiben"}

// DefaultFields returns the default metadata form. The embedded default
// configuration ([desk], defaults/60-desk.toml) lists the same fields; a
// test keeps the two equal.
func DefaultFields() FieldSchema {
	return FieldSchema{
		{Key: "document_type", LabelDE: "Dokumenttyp", LabelEN: "Document type", Required: true, Kind: FieldChoice,
			Options: append([]string(nil), DocumentTypes...)},
		{Key: "department", LabelDE: "Fachbereich", LabelEN: "Department", Required: true, Kind: FieldText},
		{Key: "aktenzeichen", LabelDE: "Aktenzeichen", LabelEN: "File reference", Kind: FieldText},
		{Key: "sender", LabelDE: "Absender", LabelEN: "Sender", Required: true, Kind: FieldText},
		{Key: "date_received", LabelDE: "Eingangsdatum", LabelEN: "Date received", Required: true, Kind: FieldDate},
		{Key: "subject", LabelDE: "Betreff", LabelEN: "Subject", Required: true, Kind: FieldText},
	}
}
