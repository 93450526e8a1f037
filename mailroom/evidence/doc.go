// Package evidence makes and checks the evidence of replacement scanning
// (BSI TR-03138 "TR-RESISCAN"): the Transfervermerk (A.NB.4) embedded in the
// scan product as a PDF/A-3 associated file and summarised in its XMP, the
// advanced electronic seal (PAdES-Basic from a PKCS#12 key, or a detached CMS
// signature) behind a Sealer seam that a remote qualified seal service can
// fill, RFC 3161 timestamps, batch seals over a Merkle tree with per-document
// inclusion proofs, the protection-level rules (QA sample, full QA, four
// eyes) as a mailroom.ApprovalPolicy, the destruction release of paper
// originals, and Verify, which checks delivered material without trusting
// the engine that made it.
package evidence
