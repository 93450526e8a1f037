// Package pdfa writes searchable PDF/A-2b documents page by page: each page
// shows its image as it came (JPEG, CCITT or Flate bytes taken over
// unchanged where possible), placed upright and straight by the page
// geometry only, under an invisible text layer (tesseract's GlyphLessFont);
// with XMP metadata, an Info dictionary matching it and an sRGB output
// intent. Memory holds one page at a time.
package pdfa
