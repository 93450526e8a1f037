// Package engine moves documents through Poststelle's pipeline:
//
//	sources ─▶ Accept (intake) ─▶ dispatcher ─▶ workers ─▶ stages
//	                                             split      received → splitting → recognising
//	                                             recognise  recognising → review
//	review (desk, CLI): RecordQA, Approve, Reject, UpdateMetadata, PageOps
//
// Each automatic stage is a type implementing mailroom.Stage, in a file of
// its own. The engine supervises sources and runners, claims due documents
// stage by stage into a bounded queue, and hands failures to the document:
// bad input is quarantined with its reason, anything else is retried with
// backoff. It depends only on the domain package mailroom; cmd/internal/wire
// plugs the adapters in.
package engine
