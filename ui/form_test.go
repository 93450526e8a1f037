package ui_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/ui"
)

// metaForm finds the metadata form (the form with the protection level) in
// the window's render tree.
func metaForm(o fyne.CanvasObject) *widget.Form {
	switch x := o.(type) {
	case *widget.Form:
		for _, it := range x.Items {
			if it.Text == "Schutzbedarf" || it.Text == "Protection level" {
				return x
			}
		}
		return nil
	case *fyne.Container:
		for _, c := range x.Objects {
			if f := metaForm(c); f != nil {
				return f
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if f := metaForm(c); f != nil {
				return f
			}
		}
	}
	return nil
}

func formLabels(t *testing.T, ev *env) []string {
	t.Helper()
	f := metaForm(ev.w.Canvas().Content())
	if f == nil {
		t.Fatal("no metadata form in the Dokument tab")
	}
	var labels []string
	for _, it := range f.Items {
		labels = append(labels, it.Text)
	}
	return labels
}

func openFirst(t *testing.T, ev *env) string {
	t.Helper()
	start(t, ev)
	a := ev.app
	id := a.Inbox.Rows()[0].ID
	a.Doc.Open(id)
	a.SelectTab(1)
	eventually(t, "document", func() bool { return a.Doc.View() != nil })
	return id
}

// Without a [desk] section the form is the one the desk always had.
func TestDefaultForm(t *testing.T) {
	ev := newEnv(t, nil, "ocrmypdf/cardinal.pdf")
	openFirst(t, ev)
	want := []string{"Dokumenttyp *", "Fachbereich *", "Aktenzeichen", "Absender *", "Eingangsdatum *", "Betreff *", "Schutzbedarf"}
	if got := formLabels(t, ev); !reflect.DeepEqual(got, want) {
		t.Fatalf("form labels %q, want %q", got, want)
	}
	if _, ok := metaForm(ev.w.Canvas().Content()).Items[0].Widget.(*widget.SelectEntry); !ok {
		t.Error("document type is not a choice")
	}
}

// The form follows the configured schema: order, labels in both languages,
// required fields, a choice, a date entered TT.MM.JJJJ and stored ISO.
func TestFormFromSchema(t *testing.T) {
	ev := newEnv(t, nil, "ocrmypdf/cardinal.pdf")
	ev.m.Config.Desk.Fields = mailroom.FieldSchema{
		{Key: "kassenzeichen", LabelDE: "Kassenzeichen", LabelEN: "Cash reference", Required: true},
		{Key: "frist", LabelDE: "Frist", LabelEN: "Due date", Kind: mailroom.FieldDate},
		{Key: "department", LabelDE: "Amt", LabelEN: "Office", Required: true, Kind: mailroom.FieldChoice,
			Options: []string{"20 – Kämmerei", "63 – Bauamt"}},
	}
	id := openFirst(t, ev)
	a := ev.app
	if got, want := formLabels(t, ev), []string{"Kassenzeichen *", "Frist", "Amt *", "Schutzbedarf"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("form labels %q, want %q", got, want)
	}
	if len(a.Doc.Fields) != 3 || a.Doc.Fields["sender"] != nil {
		t.Fatalf("fields %v", a.Doc.Fields)
	}
	items := metaForm(ev.w.Canvas().Content()).Items
	if _, ok := items[2].Widget.(*widget.SelectEntry); !ok {
		t.Errorf("choice field is a %T", items[2].Widget)
	}
	if a.Doc.Fields["frist"].PlaceHolder != "TT.MM.JJJJ" {
		t.Errorf("date placeholder %q", a.Doc.Fields["frist"].PlaceHolder)
	}
	a.Doc.FocusFirstField()
	if ev.w.Canvas().Focused() != a.Doc.Fields["kassenzeichen"] {
		t.Errorf("Strg+F focused %T, not the first field", ev.w.Canvas().Focused())
	}
	f := a.Doc.Fields
	f["frist"].SetText("31.02.2026")
	test.Tap(a.Doc.Save)
	for _, want := range []string{"Pflichtfeld fehlt: Kassenzeichen", "Pflichtfeld fehlt: Amt", "Frist muss TT.MM.JJJJ sein"} {
		if !strings.Contains(a.Doc.Hint.Text, want) {
			t.Errorf("hint %q lacks %q", a.Doc.Hint.Text, want)
		}
	}
	test.Type(f["kassenzeichen"], "5.0815.4711")
	f["department"].SetText("63 – Bauamt")
	f["frist"].SetText("15.12.2026")
	test.Tap(a.Doc.Save)
	eventually(t, "metadata saved", func() bool {
		d, _ := ev.st.Document(context.Background(), id)
		return d.Metadata["kassenzeichen"] == "5.0815.4711"
	})
	d, _ := ev.st.Document(context.Background(), id)
	if d.Metadata["frist"] != "2026-12-15" || d.Metadata["department"] != "63 – Bauamt" || d.Metadata["sender"] != "" {
		t.Fatalf("metadata %v", d.Metadata)
	}
	a.SetLang(ui.English)
	// The views are rebuilt: the form is filled again from the stored metadata.
	eventually(t, "document in English", func() bool { return a.Doc.View() != nil && a.Doc.Fields["frist"].Text != "" })
	if got, want := formLabels(t, ev), []string{"Cash reference *", "Due date", "Office *", "Protection level"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("English form labels %q, want %q", got, want)
	}
	if got := a.Doc.Fields["frist"].Text; got != "15.12.2026" {
		t.Errorf("stored date shown as %q", got)
	}
	a.Doc.Fields["frist"].SetText("morgen")
	if bad := a.Doc.Validate(); len(bad) != 1 || bad[0] != "due date must be DD.MM.YYYY" {
		t.Errorf("English date problem %q", bad)
	}
}
