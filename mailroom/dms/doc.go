// Package dms holds what every DMS connector shares: error classification of
// HTTP answers, the wrappers that add retry, rate limiting and metrics to any
// mailroom.Exporter (the way restic wraps its storage backends), the metadata
// mapping, and the Checker that `poststelle doctor` runs per target.
//
// The connectors live in sub-packages: folder (the embedded default target),
// webdav, cmis (CMIS 1.1 browser binding) and paperless (Paperless-ngx REST).
// dmstest is the suite every connector passes; outbox is the persistent
// delivery queue that calls them; targets opens a configured target.
package dms
