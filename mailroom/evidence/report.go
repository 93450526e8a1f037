package evidence

import (
	"fmt"
	"io"
	"strings"
)

// Check statuses. Fail makes a report broken, Unverifiable (a required
// check this verifier cannot do, e.g. without trust anchors) makes it not
// verifiable; Warn and Skip (an optional check not done) change nothing.
const (
	OK           = "ok"
	Fail         = "fehler"
	Warn         = "warnung"
	Skip         = "nicht geprüft"
	Unverifiable = "nicht prüfbar"
)

// Check is one line of a verification report.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	DE     string `json:"de"`
	EN     string `json:"en"`
}

// Outcome is the result of a verification.
type Outcome string

// The three outcomes of verify. Each has its own exit code.
const (
	// Intact: all evidence the protection level requires is present and
	// verified against the configured trust anchors.
	Intact Outcome = "intact"
	// NotVerifiable: nothing is found broken, but something required
	// could not be checked (no trust anchor, no journal). Never intact.
	NotVerifiable Outcome = "not-verifiable"
	// Broken: evidence is missing, changed or does not verify.
	Broken Outcome = "broken"
)

// ExitCode is the exit code of `poststelle verify` for the outcome:
// 0 intact, 1 broken, 3 not verifiable (2 is a usage error).
func (o Outcome) ExitCode() int {
	switch o {
	case Intact:
		return 0
	case NotVerifiable:
		return 3
	}
	return 1
}

// Worse returns the worse of two outcomes (broken before not verifiable
// before intact).
func (o Outcome) Worse(p Outcome) Outcome {
	rank := map[Outcome]int{Intact: 0, NotVerifiable: 1, Broken: 2, "": -1}
	if rank[p] > rank[o] {
		return p
	}
	return o
}

// Report is the result of verifying one document's material or a journal.
type Report struct {
	Path       string  `json:"path"`
	DocumentID string  `json:"document_id,omitempty"`
	Result     Outcome `json:"result"`
	DE         string  `json:"de"` // why, in German
	EN         string  `json:"en"` // why, in English
	Checks     []Check `json:"checks"`
}

// OK reports whether no check failed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return false
		}
	}
	return true
}

// Intact reports whether the outcome is Intact.
func (r *Report) Intact() bool { return r.Outcome() == Intact }

// Outcome is the report's outcome from its checks.
func (r *Report) Outcome() Outcome {
	out := Intact
	for _, c := range r.Checks {
		switch c.Status {
		case Fail:
			return Broken
		case Unverifiable:
			out = NotVerifiable
		}
	}
	return out
}

// Failed lists the names of the failed checks.
func (r *Report) Failed() []string { return r.named(Fail) }

// NotChecked lists the names of the required checks that could not be done.
func (r *Report) NotChecked() []string { return r.named(Unverifiable) }

func (r *Report) named(status string) []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == status {
			out = append(out, c.Name)
		}
	}
	return out
}

func (r *Report) add(name, status, de, en string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, Status: status, DE: fmt.Sprintf(de, args...), EN: fmt.Sprintf(en, args...)})
}

// addText adds a check whose texts are final (no formatting).
func (r *Report) addText(name, status, de, en string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: status, DE: de, EN: en})
}

// addProblem adds a check that failed (or could not be done) for p's reason.
func (r *Report) addProblem(name string, p *problem, prefixDE, prefixEN string) {
	st := Fail
	if p.unverifiable {
		st = Unverifiable
	}
	r.Checks = append(r.Checks, Check{Name: name, Status: st, DE: prefixDE + p.de, EN: prefixEN + p.en})
}

// finish sets the outcome and the line that says why.
func (r *Report) finish() {
	r.Result = r.Outcome()
	pick := func(status string) []Check {
		var out []Check
		for _, c := range r.Checks {
			if c.Status == status {
				out = append(out, c)
			}
		}
		return out
	}
	switch r.Result {
	case Intact:
		r.DE = "intakt: alle verlangten Nachweise vorhanden und geprüft"
		r.EN = "intact: all required evidence present and verified"
	case NotVerifiable:
		cs := pick(Unverifiable)
		r.DE, r.EN = "nicht prüfbar: "+cs[0].DE, "not verifiable: "+cs[0].EN
		if n := len(cs) - 1; n > 0 {
			r.DE += fmt.Sprintf(" (und %d weitere)", n)
			r.EN += fmt.Sprintf(" (and %d more)", n)
		}
	default:
		cs := pick(Fail)
		r.DE, r.EN = "beschädigt: "+cs[0].DE, "broken: "+cs[0].EN
		if n := len(cs) - 1; n > 0 {
			r.DE += fmt.Sprintf(" (und %d weitere Fehler)", n)
			r.EN += fmt.Sprintf(" (and %d more failures)", n)
		}
	}
}

// WriteText writes the report for a terminal: every check in German and
// English, then the outcome with the reason.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s\n", r.Path)
	if r.DocumentID != "" {
		fmt.Fprintf(w, "  Dokument / document: %s\n", r.DocumentID)
	}
	for _, c := range r.Checks {
		mark := map[string]string{OK: "OK     ", Fail: "FEHLER ", Warn: "WARNUNG", Skip: "–      ", Unverifiable: "OFFEN  "}[c.Status]
		fmt.Fprintf(w, "  %s %-26s %s\n  %7s %-26s %s\n", mark, c.Name, c.DE, "", "", c.EN)
	}
	label := map[Outcome]string{Intact: "INTAKT / intact", NotVerifiable: "NICHT PRÜFBAR / not verifiable", Broken: "BESCHÄDIGT / BROKEN"}[r.Result]
	fmt.Fprintf(w, "  Ergebnis / result: %s\n  %s\n  %s\n", label, r.DE, r.EN)
	if f := r.Failed(); len(f) > 0 {
		fmt.Fprintf(w, "  fehlgeschlagen / failed: %s\n", strings.Join(f, ", "))
	}
	fmt.Fprintln(w)
}
