package boundary

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"poststelle/mailroom"
)

// scoreGap lists the signals between page a and the page b after it
// (blank: blank pages lay between them).
func scoreGap(a, b *features, blank bool) []mailroom.SplitReason {
	var out []mailroom.SplitReason
	out = append(out, numbering(a.number, b.number)...)
	out = append(out, capped(b.first, capFirstPage)...)
	out = append(out, capped(a.last, capLastPage)...)
	out = append(out, capped(append(append([]mailroom.SplitReason{}, b.contHead...), a.contTail...), capContinuation)...)
	out = append(out, compareIDs(a.ids, b.ids)...)
	out = append(out, compareSymbols(a.symbols, b.symbols)...)
	if a.lang != "" && b.lang != "" && a.lang != b.lang {
		out = append(out, reason(SigLanguage, a.lang+" → "+b.lang))
	}
	out = append(out, capped(format(a, b), capFormat)...)
	if blank {
		out = append(out, reason(SigBlankBefore, ""))
	}
	return out
}

// numbering compares the page numbers of a and b.
func numbering(a, b *pageNumber) []mailroom.SplitReason {
	switch {
	case a != nil && b != nil:
		detail := a.text + " → " + b.text
		switch {
		case b.n == a.n+1 && (a.total == b.total || a.total == 0 || b.total == 0):
			return []mailroom.SplitReason{reason(SigNumberingContinues, detail)}
		case b.n == 1:
			return []mailroom.SplitReason{reason(SigNumberingRestarts, detail)}
		default:
			return []mailroom.SplitReason{reason(SigNumberingMismatch, detail)}
		}
	case b != nil:
		if b.n == 1 {
			return []mailroom.SplitReason{reason(SigNumberingFirst, b.text)}
		}
		return []mailroom.SplitReason{reason(SigNumberingNotFirst, b.text)}
	case a != nil && a.total > 0:
		if a.n == a.total {
			return []mailroom.SplitReason{reason(SigNumberingLast, a.text)}
		}
		return []mailroom.SplitReason{reason(SigNumberingNotLast, a.text)}
	}
	return nil
}

// capped scales a group of correlated signals down so that together they
// weigh at most limit (a negative limit caps from below).
func capped(rs []mailroom.SplitReason, limit float64) []mailroom.SplitReason {
	if len(rs) == 0 {
		return nil
	}
	total := 0.0
	for _, r := range rs {
		total += r.Weight
	}
	if (limit > 0 && total <= limit) || (limit < 0 && total >= limit) {
		return rs
	}
	f := limit / total
	out := make([]mailroom.SplitReason, len(rs))
	for i, r := range rs {
		r.Weight = math.Round(r.Weight*f*100) / 100
		out[i] = r
	}
	return out
}

// compareIDs compares document numbers, references and sender identifiers
// of kinds both pages carry.
func compareIDs(a, b map[string]map[string]bool) []mailroom.SplitReason {
	var out []mailroom.SplitReason
	pair := func(kind, other, same string) {
		if len(a[kind]) == 0 || len(b[kind]) == 0 {
			return
		}
		if v := common(a[kind], b[kind]); v != "" {
			out = append(out, reason(same, v))
		} else {
			out = append(out, reason(other, first(a[kind])+" → "+first(b[kind])))
		}
	}
	pair(idNumber, SigOtherNumber, SigSameNumber)
	pair(idReference, SigOtherReference, SigSameReference)
	// The sender: the same if any kind both carry matches, other if every
	// kind both carry differs.
	compared, same, detail := 0, "", ""
	for _, k := range []string{idVAT, idIBAN, idDomain} {
		if len(a[k]) == 0 || len(b[k]) == 0 {
			continue
		}
		compared++
		if v := common(a[k], b[k]); v != "" && same == "" {
			same = v
		} else if detail == "" {
			detail = first(a[k]) + " → " + first(b[k])
		}
	}
	switch {
	case same != "":
		out = append(out, reason(SigSameSender, same))
	case compared > 0:
		out = append(out, reason(SigOtherSender, detail))
	}
	return out
}

func compareSymbols(a, b map[string]bool) []mailroom.SplitReason {
	switch {
	case len(b) == 0:
		return nil
	case len(a) == 0:
		return []mailroom.SplitReason{reason(SigNewBarcode, first(b))}
	case common(a, b) != "":
		return []mailroom.SplitReason{reason(SigSameBarcode, common(a, b))}
	}
	return []mailroom.SplitReason{reason(SigOtherBarcode, first(a)+" → "+first(b))}
}

// format compares paper size (either orientation) and resolution.
func format(a, b *features) []mailroom.SplitReason {
	var out []mailroom.SplitReason
	if a.wmm > 0 && b.wmm > 0 {
		as, al := math.Min(a.wmm, a.hmm), math.Max(a.wmm, a.hmm)
		bs, bl := math.Min(b.wmm, b.hmm), math.Max(b.wmm, b.hmm)
		if math.Abs(as-bs) > 10 || math.Abs(al-bl) > 10 {
			out = append(out, reason(SigPaperSize, fmt.Sprintf("%.0f×%.0f mm → %.0f×%.0f mm", a.wmm, a.hmm, b.wmm, b.hmm)))
		}
	}
	if a.dpi > 0 && b.dpi > 0 && math.Abs(a.dpi-b.dpi) > 0.15*math.Max(a.dpi, b.dpi) {
		out = append(out, reason(SigResolution, fmt.Sprintf("%.0f dpi → %.0f dpi", a.dpi, b.dpi)))
	}
	return out
}

// common returns the smallest value in both sets, "" if none.
func common(a, b map[string]bool) string {
	var both []string
	for v := range a {
		if b[v] {
			both = append(both, v)
		}
	}
	if len(both) == 0 {
		return ""
	}
	sort.Strings(both)
	return both[0]
}

// first returns the smallest value of a set, for a stable detail text.
func first(s map[string]bool) string {
	vs := make([]string, 0, len(s))
	for v := range s {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return strings.Join(vs[:1], "")
}
