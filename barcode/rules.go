package barcode

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"poststelle/mailroom"
)

// Separator actions recorded in the split plan (and so in the journal).
const (
	ActionSplit     = "split"      // pure separator: split, sheet dropped
	ActionSplitKeep = "split-keep" // ASN sheet: new document starting with this page
	ActionTag       = "tag"        // tag sheet: new document with a tag
	ActionMetadata  = "metadata"   // a rule took metadata from the sheet
)

// Metadata keys set by the rules.
const (
	MetaASN  = "asn"  // archive serial number, decimal
	MetaTags = "tags" // comma-separated
)

// Rules applies the separator configuration to the symbols of a batch. It is
// immutable after NewRules and safe for concurrent use.
type Rules struct {
	texts      map[string]bool
	patches    map[string]bool
	patchExact bool
	asnPrefix  string
	tag        *regexp.Regexp
	keepIndex  bool
	rules      []rule
}

type rule struct {
	re    *regexp.Regexp
	field string
	split bool
}

var _ mailroom.SplitRules = (*Rules)(nil)

// NewRules compiles cfg. A bad regular expression or patch code is an error
// naming the field.
func NewRules(cfg mailroom.SeparatorConfig) (*Rules, error) {
	r := &Rules{texts: map[string]bool{}, patches: map[string]bool{}, patchExact: cfg.PatchExact,
		asnPrefix: cfg.ASNPrefix, keepIndex: cfg.KeepIndexSheets}
	for _, t := range cfg.SeparatorTexts {
		if t = strings.TrimSpace(t); t != "" {
			r.texts[t] = true
		}
	}
	for _, p := range cfg.PatchCodes {
		p = strings.ToUpper(strings.TrimSpace(p))
		if !validPatch(p) {
			return nil, fmt.Errorf("separators.patch_codes: unknown patch code %q (known: 1, 2, 3, 4, 6, T)", p)
		}
		r.patches[p] = true
	}
	if cfg.TagPattern != "" {
		re, err := regexp.Compile(cfg.TagPattern)
		if err != nil {
			return nil, fmt.Errorf("separators.tag_pattern: %w", err)
		}
		r.tag = re
	}
	for i, sr := range cfg.Rules {
		re, err := regexp.Compile(sr.Pattern)
		if err != nil {
			return nil, fmt.Errorf("separators.rules[%d].pattern: %w", i, err)
		}
		if strings.TrimSpace(sr.Field) == "" {
			return nil, fmt.Errorf("separators.rules[%d].field: empty", i)
		}
		r.rules = append(r.rules, rule{re: re, field: sr.Field, split: sr.Split})
	}
	return r, nil
}

func validPatch(p string) bool {
	switch p {
	case "1", "2", "3", "4", "6", "T":
		return true
	}
	return false
}

// sheet is what the rules make of one page's symbols.
type sheet struct {
	separator *mailroom.Symbol // pure separator
	starter   *mailroom.Symbol // ASN, tag or splitting rule: new document
	action    string
	meta      map[string]string
	tags      []string
	metaSym   *mailroom.Symbol
}

// isSeparator reports whether s marks a pure separator sheet.
func (r *Rules) isSeparator(s mailroom.Symbol) bool {
	if s.Symbology == Patch {
		code := strings.ToUpper(s.Text)
		if r.patches[code] {
			return true
		}
		// A patch fed the other way round reads as its mirror partner
		// (T as 3, 1 as 6) when its position cannot tell the orientation.
		return !r.patchExact && r.patches[PatchMirror(code)]
	}
	return r.texts[strings.TrimSpace(s.Text)]
}

func (r *Rules) classify(syms []mailroom.Symbol) (sheet, error) {
	sh := sheet{meta: map[string]string{}}
	for i := range syms {
		s := &syms[i]
		if r.isSeparator(*s) {
			if sh.separator == nil {
				sh.separator = s
			}
			continue
		}
		if s.Symbology == Patch {
			continue // a patch code not configured as separator
		}
		text := strings.TrimSpace(s.Text)
		if asn, ok, err := r.parseASN(text); err != nil {
			return sh, err
		} else if ok {
			if _, dup := sh.meta[MetaASN]; !dup {
				sh.meta[MetaASN] = strconv.FormatUint(uint64(asn), 10)
				if sh.starter == nil || sh.action != ActionSplitKeep {
					sh.starter, sh.action = s, ActionSplitKeep
				}
			}
			continue
		}
		if r.tag != nil {
			if m := r.tag.FindStringSubmatch(text); m != nil {
				tag := m[0]
				if len(m) > 1 {
					tag = m[1]
				}
				if tag = strings.TrimSpace(tag); tag != "" {
					sh.tags = appendTag(sh.tags, tag)
					if sh.starter == nil {
						sh.starter, sh.action = s, ActionTag
					}
				}
				continue
			}
		}
		for _, ru := range r.rules {
			m := ru.re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			v := m[0]
			if len(m) > 1 {
				v = m[1]
			}
			sh.meta[ru.field] = strings.TrimSpace(v)
			if sh.metaSym == nil {
				sh.metaSym = s
			}
			if ru.split && sh.starter == nil {
				sh.starter, sh.action = s, ActionMetadata
			}
		}
	}
	return sh, nil
}

// parseASN reads prefix+digits. Digits out of the uint32 range are bad input.
func (r *Rules) parseASN(text string) (uint32, bool, error) {
	if r.asnPrefix == "" || !strings.HasPrefix(text, r.asnPrefix) {
		return 0, false, nil
	}
	digits := text[len(r.asnPrefix):]
	if digits == "" {
		return 0, false, nil
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, nil
		}
	}
	v, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return 0, false, mailroom.BadInput(
			fmt.Sprintf("ASN-Barcode %q liegt außerhalb des gültigen Bereichs (0 bis 4294967295)", text),
			fmt.Sprintf("ASN barcode %q is out of range (0 to 4294967295)", text), nil)
	}
	return uint32(v), true, nil
}

func appendTag(tags []string, t string) []string {
	for _, x := range tags {
		if x == t {
			return tags
		}
	}
	return append(tags, t)
}

// docBuilder collects one document of the plan.
type docBuilder struct {
	pages []int
	meta  map[string]string
	tags  []string
}

func (d *docBuilder) merge(meta map[string]string, tags []string) {
	for k, v := range meta {
		d.meta[k] = v
	}
	for _, t := range tags {
		d.tags = appendTag(d.tags, t)
	}
}

// Plan implements mailroom.SplitRules. Pages are 1-based. A pure separator
// closes the current document and is dropped; an index sheet (ASN, tag, a
// splitting rule) closes it and starts the next one (kept when
// keep_index_sheets). Metadata read from a sheet goes to the document that
// follows it; metadata on an ordinary page goes to that page's document.
// Documents without pages are never made: their metadata passes on to the
// next document.
func (r *Rules) Plan(pageCount int, pages []mailroom.PageSymbols) (mailroom.SplitPlan, error) {
	var plan mailroom.SplitPlan
	if pageCount <= 0 {
		return plan, nil
	}
	byPage := map[int][]mailroom.Symbol{}
	for _, ps := range pages {
		if ps.Page < 1 || ps.Page > pageCount {
			return plan, fmt.Errorf("symbols for page %d of a %d-page batch", ps.Page, pageCount)
		}
		byPage[ps.Page] = append(byPage[ps.Page], ps.Symbols...)
	}
	var cur *docBuilder
	pending := &docBuilder{meta: map[string]string{}}
	closeDoc := func() {
		if cur == nil {
			return
		}
		if len(cur.pages) == 0 {
			// Nothing to make a document of: hand its metadata on.
			cur.merge(pending.meta, pending.tags)
			pending = cur
		} else {
			plan.Documents = append(plan.Documents, cur.segment())
		}
		cur = nil
	}
	open := func() {
		cur = &docBuilder{meta: map[string]string{}}
		cur.merge(pending.meta, pending.tags)
		pending = &docBuilder{meta: map[string]string{}}
	}
	for p := 1; p <= pageCount; p++ {
		sh, err := r.classify(byPage[p])
		if err != nil {
			return mailroom.SplitPlan{}, err
		}
		switch {
		case sh.separator != nil:
			closeDoc()
			plan.Separators = append(plan.Separators, separator(p, *sh.separator, ActionSplit))
			pending.merge(sh.meta, sh.tags)
		case sh.starter != nil:
			closeDoc()
			open()
			cur.merge(sh.meta, sh.tags)
			plan.Separators = append(plan.Separators, separator(p, *sh.starter, sh.action))
			if r.keepIndex {
				cur.pages = append(cur.pages, p)
			}
		default:
			if cur == nil {
				open()
			}
			cur.pages = append(cur.pages, p)
			if len(sh.meta) > 0 || len(sh.tags) > 0 {
				cur.merge(sh.meta, sh.tags)
				plan.Separators = append(plan.Separators, separator(p, *sh.metaSym, ActionMetadata))
			}
		}
	}
	closeDoc()
	return plan, nil
}

func separator(page int, s mailroom.Symbol, action string) mailroom.Separator {
	return mailroom.Separator{Page: page, Symbology: s.Symbology, Text: s.Text, Mirrored: s.Mirrored, Action: action}
}

func (d *docBuilder) segment() mailroom.Segment {
	meta := map[string]string{}
	for k, v := range d.meta {
		meta[k] = v
	}
	if len(d.tags) > 0 {
		meta[MetaTags] = strings.Join(d.tags, ",")
	}
	return mailroom.Segment{Pages: d.pages, Metadata: meta}
}
