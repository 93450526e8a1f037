// Package ocr recognises text with tesseract: a pool of gosseract clients
// (one single-threaded engine per worker, created once and reused) that
// returns words with boxes and confidences, and tesseract's orientation
// detection (OSD) for turning pages upright.
package ocr
