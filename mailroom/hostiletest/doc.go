// Package hostiletest generates the hostile-input corpus (issue 15): inputs
// an attacker can send the mailroom by mail or by dropping a file —
// compression bombs in PDF streams, TIFF and PNG, huge page counts sharing
// one image, a page whose drawing never ends, names with control characters,
// FIFOs and symbolic links, deep XML and endless mail headers — each with
// what must become of it. Everything is generated here, deterministically;
// nothing is copied from elsewhere. The small files are also kept in
// testdata/corpus (TestCorpusFiles checks they equal what Generate makes;
// -update rewrites them); the large ones are made at test time.
//
// The end-to-end test that runs every case through `poststelle process`
// and a running engine is cmd/poststelle/hostile_test.go.
package hostiletest
