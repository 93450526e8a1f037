package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/testcorpus"
)

// An invalid XRechnung (the buyer reference, BR-DE-15, removed) shows
// "E-Rechnung ungültig" with the failed rule at the desk; the clerk rejects it
// with one button, the reason naming the rule and the Prüfbericht. A valid one
// shows as valid without the button.
func TestInvalidEInvoiceAtTheDesk(t *testing.T) {
	ev := newEnv(t, nil)
	ev.e.Classifiers = []mailroom.Classifier{&einvoice.Classifier{}}
	good, err := os.ReadFile(testcorpus.Path(t, "einvoice", "xrechnung", "01.01a-INVOICE_ubl.xml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "<cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>", "", 1)
	if bad == string(good) {
		t.Fatal("test input: buyer reference not found")
	}
	badID := intakeXML(t, ev, "rechnung-ohne-leitweg.xml", []byte(bad))
	goodID := intakeXML(t, ev, "rechnung.xml", good)
	start(t, ev)
	a := ev.app

	a.Doc.Open(goodID)
	eventually(t, "valid invoice shown", func() bool {
		return a.Doc.View() != nil && a.Doc.View().ID == goodID && strings.HasPrefix(a.Doc.Invoice.Status.Text, "E-Rechnung gültig")
	})
	if a.Doc.Invoice.Reject.Visible() {
		t.Fatal("reject button shown for a valid e-invoice")
	}

	a.Doc.Open(badID)
	eventually(t, "invalid invoice shown", func() bool {
		return a.Doc.View() != nil && a.Doc.View().ID == badID && strings.HasPrefix(a.Doc.Invoice.Status.Text, "E-Rechnung ungültig")
	})
	if !strings.Contains(a.Doc.Invoice.Rules.Text, "BR-DE-15") || !a.Doc.Invoice.Reject.Visible() {
		t.Fatalf("rules %q, reject button visible %v", a.Doc.Invoice.Rules.Text, a.Doc.Invoice.Reject.Visible())
	}
	if !strings.Contains(a.Doc.Invoice.Rules.Text, "Prüfbericht") {
		t.Fatalf("the Prüfbericht is not named: %q", a.Doc.Invoice.Rules.Text)
	}
	test.Tap(a.Doc.Invoice.Reject)
	entry, confirm := rejectDialog(t, ev.w)
	if !strings.HasPrefix(entry.Text, "E-Rechnung ungültig: ") || !strings.Contains(entry.Text, "BR-DE-15") {
		t.Fatalf("proposed reason %q", entry.Text)
	}
	test.Tap(confirm)
	eventually(t, "rejected with the rules as reason", func() bool {
		d, _ := ev.st.Document(context.Background(), badID)
		return d.State == mailroom.StateRejected && strings.Contains(d.Reason, "BR-DE-15") && strings.Contains(d.Reason, "pruefbericht.pdf")
	})
}

func intakeXML(t *testing.T, ev *env, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	os.WriteFile(p, data, 0o640)
	ctx := context.Background()
	b, d, err := ev.st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: mailroom.Profile{Name: "eingang"}, Path: p, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// rejectDialog finds the reason entry and the confirm button of the open
// reject dialog.
func rejectDialog(t *testing.T, w fyne.Window) (*widget.Entry, *widget.Button) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog open")
	}
	var entry *widget.Entry
	var confirm *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			entry = x
		case *widget.Button:
			if x.Text == "Zurückweisen" {
				confirm = x
			}
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, ch := range c.Objects {
				walk(ch)
			}
		} else if wd, ok := o.(fyne.Widget); ok {
			r := test.WidgetRenderer(wd)
			for _, ch := range r.Objects() {
				walk(ch)
			}
		}
	}
	walk(top)
	if entry == nil || confirm == nil {
		t.Fatalf("reject dialog without entry (%v) or confirm button (%v)", entry != nil, confirm != nil)
	}
	return entry, confirm
}
