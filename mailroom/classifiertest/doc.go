// Package classifiertest is the test suite every mailroom.Classifier passes
// (e-invoices, signed documents, mails, and any classifier added later):
// documents it does not know give a zero Classification; documents it knows
// give the expected metadata, flags and rendition; the original is never
// changed; a second call (after a crash) gives the same result and leaves no
// temporary files. Run it from the implementation's tests with cases of the
// documents it knows:
//
//	classifiertest.Run(t, c, []classifiertest.Case{{Name: "ubl", Path: …, WantKeep: true}})
package classifiertest
