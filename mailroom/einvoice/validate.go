package einvoice

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a rule, as the specification flags it.
type Severity string

const (
	Fatal   Severity = "fatal"
	Warning Severity = "warning"
)

// Rule families (docs/einvoice.md lists the rules of each).
const (
	FamilyCore       = "core"       // EN 16931-1 BR-01 … BR-65
	FamilyConditions = "conditions" // BR-CO-*
	FamilyDecimals   = "decimals"   // BR-DEC-*
	FamilyVAT        = "vat"        // BR-S/Z/E/AE/IC/G/O/IG/IP-*
	FamilyCodes      = "codes"      // BR-CL-*
	FamilyXRechnung  = "xrechnung"  // BR-DE-*, BR-TMP-*
	FamilyPoststelle = "poststelle" // PS-*: checks of our own (syntax, profile, Leitweg-ID, PDF)
)

// Rule is one business rule with its messages.
type Rule struct {
	ID       string
	Family   string
	Severity Severity
	DE, EN   string
}

// Finding is a rule that failed for an element and value of the invoice.
type Finding struct {
	Rule    Rule
	Element string // business term or group, with position where repeated ("BG-25 Nr. 2 / BT-131")
	Value   string // the value concerned ("" when the element is missing)
}

// Result is the outcome of validating one invoice.
type Result struct {
	ProfileName string // e.g. "XRechnung 3.0", "EN 16931", "ZUGFeRD MINIMUM"
	Failed      []Finding
	Warned      []Finding
}

// Valid reports whether no fatal rule failed.
func (r *Result) Valid() bool { return len(r.Failed) == 0 }

// FailedIDs returns the distinct ids of the failed fatal rules, sorted.
func (r *Result) FailedIDs() []string { return ruleIDs(r.Failed) }

// WarnedIDs returns the distinct ids of the warnings, sorted.
func (r *Result) WarnedIDs() []string { return ruleIDs(r.Warned) }

func ruleIDs(fs []Finding) []string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range fs {
		if !seen[f.Rule.ID] {
			seen[f.Rule.ID] = true
			ids = append(ids, f.Rule.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// catalogue holds every implemented rule by id; each rules_*.go file adds
// its family in init.
var catalogue = map[string]Rule{}

func define(family string, sev Severity, id, de, en string) {
	if _, dup := catalogue[id]; dup {
		panic("einvoice: rule defined twice: " + id)
	}
	catalogue[id] = Rule{ID: id, Family: family, Severity: sev, DE: de, EN: en}
}

// Rules returns the catalogue sorted by id.
func Rules() []Rule {
	out := make([]Rule, 0, len(catalogue))
	for _, r := range catalogue {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the rule with the given id from the catalogue.
func Lookup(id string) (Rule, bool) {
	r, ok := catalogue[id]
	return r, ok
}

// vctx is the state of one validation run.
type vctx struct {
	inv *Invoice
	res *Result
}

// fail records a finding of rule id (which must be in the catalogue).
func (v *vctx) fail(id, element, value string) {
	r, ok := catalogue[id]
	if !ok {
		panic("einvoice: unknown rule " + id)
	}
	f := Finding{Rule: r, Element: element, Value: value}
	if r.Severity == Fatal {
		v.res.Failed = append(v.res.Failed, f)
	} else {
		v.res.Warned = append(v.res.Warned, f)
	}
}

// check records a finding of rule id unless ok.
func (v *vctx) check(ok bool, id, element, value string) {
	if !ok {
		v.fail(id, element, value)
	}
}

// checks run in order; each covers a group of rules.
var checks []func(*vctx)

// Validate checks inv against EN 16931-1 (core, conditions, decimals, VAT
// categories, code lists) and, for XRechnung invoices, the XRechnung CIUS.
// Documents whose profile is not an invoice under EN 16931 (ZUGFeRD
// MINIMUM and BASIC WL, ZUGFeRD 1.0) get only the profile rule: the
// EN 16931 rules are not written for them.
func Validate(inv *Invoice) *Result {
	p := profileOf(inv)
	v := &vctx{inv: inv, res: &Result{ProfileName: p.name}}
	if p.notEN16931 != "" {
		v.fail(p.notEN16931, "BT-24", inv.Profile)
		return v.res
	}
	for _, c := range checks {
		c(v)
	}
	if p.xrechnung {
		for _, c := range xrechnungChecks {
			c(v)
		}
	}
	checkLeitwegID(v, p.xrechnung)
	return v.res
}

// lineRef names line i (0-based) for findings.
func lineRef(inv *Invoice, i int, bt string) string {
	id := inv.Lines[i].ID
	if id == "" {
		id = fmt.Sprint(i + 1)
	}
	return "BG-25 Pos. " + id + " / " + bt
}

// nth names the i-th (0-based) occurrence of a group.
func nth(group string, i int, bt string) string {
	s := fmt.Sprintf("%s Nr. %d", group, i+1)
	if bt != "" {
		s += " / " + bt
	}
	return s
}

// joinIDs joins rule ids for the metadata.
func joinIDs(ids []string) string { return strings.Join(ids, ",") }
