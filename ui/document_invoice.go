package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// invoicePanel shows the e-invoice check of the open document: "E-Rechnung
// ungültig" with each failed rule, the warnings, and a button that rejects
// the document with the failed rules (and the Prüfbericht) as the reason.
type invoicePanel struct {
	box    *fyne.Container
	Status *widget.Label
	Rules  *widget.Label
	Reject *widget.Button
}

func (v *DocumentView) newInvoicePanel() *invoicePanel {
	p := &invoicePanel{Status: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Rules: widget.NewLabel("")}
	p.Rules.Wrapping = fyne.TextWrapWord
	p.Reject = widget.NewButton(v.a.L.T("invoice.reject"), func() {
		if d := v.view; d != nil && d.Invoice != nil {
			v.a.QA.RejectDialog(d.Invoice.RejectReason())
		}
	})
	p.Reject.Importance = widget.DangerImportance
	p.box = container.NewVBox(p.Status, p.Rules, p.Reject)
	p.box.Hide()
	return p
}

// show fills the panel for d; documents that are no e-invoice hide it.
func (p *invoicePanel) show(l Lang, d *DocView) {
	c := d.Invoice
	if c == nil {
		p.box.Hide()
		return
	}
	p.box.Show()
	switch {
	case c.Valid:
		p.Status.SetText(l.T("invoice.valid", c.Profile))
		p.Status.Importance = widget.SuccessImportance
		p.Reject.Hide()
	default:
		p.Status.SetText(l.T("invoice.invalid", len(c.Failed)))
		p.Status.Importance = widget.DangerImportance
		p.Reject.Show()
	}
	p.Status.Refresh()
	p.Rules.SetText(invoiceLines(l, c))
}

// invoiceLines lists the failed rules, then the warnings, one per line.
func invoiceLines(l Lang, c *InvoiceCheck) string {
	var b strings.Builder
	if c.Error != "" {
		b.WriteString(l.Reason(c.Error) + "\n")
	}
	line := func(prefix string, r RuleResult) {
		msg := r.DE
		if l == English && r.EN != "" {
			msg = r.EN
		}
		b.WriteString(prefix + r.ID)
		if msg != "" {
			b.WriteString(": " + msg)
		}
		b.WriteString("\n")
	}
	for _, r := range c.Failed {
		line("✗ ", r)
	}
	for _, r := range c.Warned {
		line(l.T("invoice.warning")+" ", r)
	}
	if c.Report != "" {
		b.WriteString(l.T("invoice.report", c.Report))
	}
	return strings.TrimSpace(b.String())
}

func init() {
	for k, v := range map[string][2]string{
		"flag.einvoice-invalid": {"E-Rechnung ungültig", "invalid e-invoice"},
		"invoice.valid":         {"E-Rechnung gültig (%s)", "valid e-invoice (%s)"},
		"invoice.invalid":       {"E-Rechnung ungültig: %d Regel(n) verletzt", "invalid e-invoice: %d rule(s) failed"},
		"invoice.warning":       {"Hinweis", "warning"},
		"invoice.report":        {"Prüfbericht für den Lieferanten: %s (wird mit dem Dokument abgelegt)", "Validation report for the supplier: %s (filed with the document)"},
		"invoice.reject":        {"Zurückweisen: E-Rechnung ungültig", "Reject: invalid e-invoice"},
	} {
		texts[k] = v
	}
}
