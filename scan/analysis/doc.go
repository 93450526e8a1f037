// Package analysis looks at derived page images, never at the data that go
// into the PDF: blank pages (ink ratio at ~75 dpi), skew (projection
// profile), the orientation check by recognition where OSD is unsure, and
// the Correction (turn upright, then straighten) with its image transform
// and its PDF placement matrix.
package analysis
