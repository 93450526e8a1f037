// Package mailroom is Poststelle's domain: batches, documents and pages, the
// document states and their transitions, the interfaces at the seams (sources,
// page decoders, detectors, recognisers, exporters), the configuration, and the
// engine that moves documents through the pipeline.
//
// mailroom imports none of the adapters (store, scan, ocr, barcode, inbox, dms,
// ui). cmd/poststelle wires concrete adapters into an Engine.
package mailroom
