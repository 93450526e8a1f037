// Package outbox delivers approved documents to the configured DMS targets,
// exactly once. The queue is persistent (the outbox table of the store): one
// entry per approved document and target. Workers lease due entries, move the
// document approved → exporting, call the target's connector, and store the
// receipt and journal it; the document becomes exported in the same
// transaction as its last receipt. Transient errors are retried with
// exponential backoff and jitter, for hours if need be, and pause the target
// for a moment so a DMS in maintenance is not hammered; permanent errors
// (rejected metadata, authentication) put the entry on hold for an operator
// (`poststelle outbox retry`). An entry older than alert_after raises an
// alert (log and metric).
//
// Exactly once rests on two things: the store never loses an entry (it is
// written in the transaction that sees the document approved, and a lease of
// a killed process is dropped at the next start), and every connector is
// idempotent per document UUID — before repeating an upload that may have
// completed it asks the DMS.
package outbox
