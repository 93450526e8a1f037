// Package sourcetest is the test suite every mailroom.Source passes (the hot
// folder, the IMAP/De-Mail mailbox, and any source added later). It checks
// the contract in mailroom.Source: each item is delivered once with its
// content, an item is acknowledged only after accept returned nil (a failed
// accept leaves it at the source and it comes again), a restarted source does
// not deliver acknowledged items again, and Run ends promptly when its
// context ends. Run it from the implementation's tests:
//
//	sourcetest.Run(t, func(t *testing.T) sourcetest.Harness { … })
package sourcetest
