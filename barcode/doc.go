// Package barcode finds barcodes and Kodak patch codes on page images and
// turns them into split plans for batches.
//
// Detector (mailroom.Detector) reads QR, DataMatrix, Aztec, Code 128, Code 39
// (full ASCII), EAN-13/UPC-A and ITF with github.com/makiuchi-d/gozxing, and
// patch codes 1, 2, 3, 4, 6 and T with a decoder of its own that measures the
// bars from the Kodak geometry (patch.go). Rules (mailroom.SplitRules) applies
// the separator configuration to the symbols found on a batch's pages.
package barcode
