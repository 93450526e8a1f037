// Package dmstest is the suite every DMS connector passes (dmstest.Run), the
// way restic tests all storage backends with one suite, and a FaultProxy
// that stands between a connector and its (test or real) server to inject
// 5xx answers, 429, hanging requests and dropped connections — including a
// connection dropped after the server did the work, which is what a crash
// between upload and receipt looks like to the DMS.
package dmstest
