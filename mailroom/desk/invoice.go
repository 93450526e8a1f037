package desk

import (
	"strings"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/einvoice"
)

// invoiceCheck reads the e-invoice validation from a document's metadata
// (written by the e-invoice classifier) and names each rule in both
// languages; nil for documents that are no e-invoice.
func invoiceCheck(d *mailroom.Document) *apiv1.InvoiceCheck {
	m := d.Metadata
	if m["einvoice_validation"] == "" && m["einvoice_error"] == "" {
		return nil
	}
	return &apiv1.InvoiceCheck{
		Valid:   m["einvoice_validation"] == "valid",
		Profile: m["einvoice_profile_name"],
		Failed:  ruleResults(m["einvoice_rules_failed"]),
		Warned:  ruleResults(m["einvoice_rules_warned"]),
		Error:   m["einvoice_error"],
		Report:  m["einvoice_report"],
	}
}

func ruleResults(ids string) []apiv1.RuleResult {
	var out []apiv1.RuleResult
	for _, id := range strings.Split(ids, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		r := apiv1.RuleResult{ID: id}
		if rule, ok := einvoice.Lookup(id); ok {
			r.DE, r.EN = rule.DE, rule.EN
		}
		out = append(out, r)
	}
	return out
}
