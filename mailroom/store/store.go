package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // SQLite driver

	"poststelle/mailroom"
)

//go:embed sql/*.sql
var migrations embed.FS

// Store is the SQLite store and the originals directory of one data directory.
type Store struct {
	db      *sql.DB
	dataDir string
	now     func() time.Time
}

// Open opens (and creates) the store in dataDir and applies migrations.
func Open(dataDir string) (*Store, error) {
	l := mailroom.Layout{Root: dataDir}
	for _, d := range []string{l.Root, l.OriginalsDir(), l.WorkDir(), l.OutDir()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	dsn := "file:" + l.DB() +
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=30000&_txlock=immediate&_foreign_keys=on"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, dataDir: dataDir, now: func() time.Time { return time.Now().UTC() }}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	// SQLite creates the file with 0644 less the umask of whoever opened
	// it first (an administrator's shell, say); the WAL and shared-memory
	// files take the database's mode. The mail in it is for the engine
	// and its group only.
	os.Chmod(l.DB(), 0o640)
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB gives packages of the store's own family (outbox, evidence) the handle.
func (s *Store) DB() *sql.DB { return s.db }

// DataDir is the data directory.
func (s *Store) DataDir() string { return s.dataDir }

func (s *Store) migrate() error {
	if _, err := s.db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	names, _ := fs.Glob(migrations, "sql/*.sql")
	sort.Strings(names)
	for _, n := range names {
		base := filepath.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: bad name", base)
		}
		body, _ := migrations.ReadFile(n)
		// Check and apply in one immediate transaction, so two processes
		// opening the same store at once do not both apply it.
		tx, err := s.db.Begin()
		if err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		var one int
		err = tx.QueryRow(`SELECT 1 FROM schema_migrations WHERE version = ?`, v).Scan(&one)
		if err == nil {
			tx.Rollback()
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			tx.Rollback()
			return fmt.Errorf("store: migrations: %w", err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations VALUES (?, ?)`, v, s.now().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity_check and returns its answer ("ok").
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var r string
	err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&r)
	return r, err
}

// tx runs fn in one immediate transaction.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) ts(t time.Time) string { return t.UTC().Format(mailroom.TimeFormat) }

func parseTS(v string) time.Time {
	t, _ := time.Parse(mailroom.TimeFormat, v)
	return t
}
