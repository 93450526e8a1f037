// Package store is Poststelle's SQLite store (mattn/go-sqlite3, WAL mode):
// batches, documents, the hash-chained journal, and the content-addressed
// originals under the data directory. The schema lives in embedded, numbered
// .sql migrations applied at open. Every state change and its journal entry
// are one transaction.
package store
