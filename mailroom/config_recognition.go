package mailroom

import "fmt"

// RecognitionConfig configures rendering, page analysis and OCR.
type RecognitionConfig struct {
	Languages string `toml:"languages"` // tesseract languages, e.g. "deu+eng"
	Workers   int    `toml:"workers"`   // OCR engines; 0 = number of cores
	DPI       int    `toml:"dpi"`       // rendering resolution for PDF pages
	// TextLayer decides what happens to born-digital PDFs with a text layer:
	// skip (keep their text), redo (replace the text layer), force (rasterise and OCR).
	TextLayer     string  `toml:"text_layer"`
	MaxPixels     int64   `toml:"max_pixels"`     // per page; larger pages are refused as decompression bombs
	LowConfidence float64 `toml:"low_confidence"` // pages with a lower mean confidence are flagged
	Deskew        bool    `toml:"deskew"`
	AutoRotate    bool    `toml:"auto_rotate"`
}

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error {
		switch c.Recognition.TextLayer {
		case "skip", "redo", "force":
		default:
			return fmt.Errorf("recognition.text_layer: %q is not one of skip, redo, force", c.Recognition.TextLayer)
		}
		if c.Recognition.DPI < 50 || c.Recognition.DPI > 1200 {
			return fmt.Errorf("recognition.dpi: %d is outside 50…1200", c.Recognition.DPI)
		}
		return nil
	})
}
