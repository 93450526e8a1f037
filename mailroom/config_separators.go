package mailroom

import "fmt"

// SeparatorConfig configures batch splitting at separator and index sheets.
type SeparatorConfig struct {
	Enabled bool `toml:"enabled"`
	// SeparatorTexts are barcode texts that mark a pure separator sheet (split, drop the page).
	SeparatorTexts []string `toml:"separator_texts"`
	// PatchCodes that act as pure separators ("1","2","3","4","6","T").
	PatchCodes []string `toml:"patch_codes"`
	// PatchExact: only the listed patch codes count. When false (the default) a
	// patch code whose mirror partner is listed counts too (T read as 3, 1 as
	// 6), because a sheet fed upside down reads as the partner when the
	// pattern's position cannot tell its orientation.
	PatchExact bool `toml:"patch_exact"`
	// ASNPrefix: a barcode with this prefix plus digits starts a new document and keeps its page.
	ASNPrefix string `toml:"asn_prefix"`
	// TagPattern: a regular expression whose first group is a tag; the page starts a new document.
	TagPattern string `toml:"tag_pattern"`
	// KeepIndexSheets keeps index sheets (ASN, tag, metadata pages) in the document.
	KeepIndexSheets bool `toml:"keep_index_sheets"`
	// Rules map barcode text to metadata.
	Rules []SeparatorRule `toml:"rules"`
	// AutoSplit proposes document boundaries from the recognised pages of
	// batches without separator sheets (docs/autosplit.md): "off",
	// "propose" (the default; "" means the same) or "apply" (split there as
	// at a separator sheet). Separator sheets and barcode rules always win.
	AutoSplit string `toml:"auto_split"`
}

// AutoSplitMode is AutoSplit with the default filled in.
func (s SeparatorConfig) AutoSplitMode() string {
	if s.AutoSplit == "" {
		return AutoSplitPropose
	}
	return s.AutoSplit
}

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error {
		switch c.Separators.AutoSplit {
		case "", AutoSplitOff, AutoSplitPropose, AutoSplitApply:
			return nil
		}
		return fmt.Errorf("separators.auto_split: %q is not one of off, propose, apply", c.Separators.AutoSplit)
	})
}

// SeparatorRule maps barcode text matching Pattern to a metadata field.
type SeparatorRule struct {
	Pattern string `toml:"pattern"` // regular expression; group 1 (or the whole match) is the value
	Field   string `toml:"field"`   // metadata key, e.g. department, document_type, aktenzeichen
	Split   bool   `toml:"split"`   // the page also starts a new document
}
