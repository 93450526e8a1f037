// Package scan is Poststelle's paper side. It holds no code itself; the
// flow runs through its sub-packages:
//
//   - scan/hotfolder: the hot-folder Source (watched folders → intake)
//   - scan/pages: decoding originals into pages (MuPDF, TIFF, JPEG, PNG,
//     PDF image passthrough), bomb and pixel checks
//   - scan/analysis: page analysis on derived images (blank, skew,
//     orientation check, Correction)
//   - scan/recognition: the Recognition stage (pages over the OCR pool,
//     PDF/A output through mailroom/pdf/pdfa)
package scan
