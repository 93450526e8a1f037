// Package targets opens the DMS targets of the configuration: it picks the
// connector by type, reads the secrets, and wraps the connector with rate
// limiting, quick retries and metrics.
package targets
