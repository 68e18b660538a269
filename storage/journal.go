// Package storage owns the journal: the one SQLite file (modernc.org/sqlite,
// pure Go) where the terminal keeps every order, the append-only event log of
// each order, refunds, the receipt print queue, terminal profiles and the
// manager audit log.
//
// The journal is the only place state is kept. It is opened in WAL mode with
// synchronous=FULL, so a call that returned has reached the disk; a state
// change is checked against the payments transition table inside the same
// transaction that writes it. It imports payments and nothing else of the
// project; it knows nothing of providers, devices or the UI.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"qrpos/payments"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when an order, refund or profile does not exist.
var ErrNotFound = errors.New("not found")

// Journal is an open journal file. It is safe for concurrent use.
type Journal struct {
	db   *sql.DB
	path string
	now  func() time.Time
	// wmu serialises this process's write transactions; other processes
	// wait on SQLite's busy timeout.
	wmu sync.Mutex
}

// Option changes how Open sets up a journal.
type Option func(*Journal)

// WithClock replaces the wall clock (tests).
func WithClock(now func() time.Time) Option { return func(j *Journal) { j.now = now } }

// Open opens (creating if needed) the journal at path and brings its schema
// up to date.
func Open(ctx context.Context, path string, opts ...Option) (*Journal, error) {
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"busy_timeout(10000)",
		"foreign_keys(1)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// The journal holds the terminal's profile, secrets included: only its
	// owner may read it. SQLite gives its -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	} else {
		f.Close()
	}
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	j := &Journal{db: db, path: path, now: time.Now}
	for _, o := range opts {
		o(j)
	}
	if err := j.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// check confirms the pragmas took effect: a journal that silently ran
// without WAL or FULL sync would lose sales on a power cut.
func (j *Journal) check(ctx context.Context) error {
	var mode string
	if err := j.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	var syncMode, fk int
	if err := j.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !strings.EqualFold(mode, "wal") || syncMode != 2 || fk != 1 {
		return fmt.Errorf("journal %s: journal_mode=%s synchronous=%d foreign_keys=%d, want wal/2/1", j.path, mode, syncMode, fk)
	}
	return nil
}

// Path is the file the journal lives in.
func (j *Journal) Path() string { return j.path }

// Close closes the journal.
func (j *Journal) Close() error { return j.db.Close() }

// migrate applies the embedded numbered migrations not yet applied, each in
// its own transaction together with its schema_version row.
func (j *Journal) migrate(ctx context.Context) error {
	if _, err := j.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("journal %s: schema_version: %w", j.path, err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = j.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_version WHERE version = ?", v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if v == 1 {
				if _, err := tx.ExecContext(ctx, "INSERT INTO counters (name, value) VALUES ('order_seq', ?)",
					payments.SequenceFloor(j.now())); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", v, j.now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
	}
	return nil
}

// SchemaVersion is the highest migration applied.
func (j *Journal) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := j.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v)
	return v, err
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (j *Journal) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := j.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}

// write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it.
// With synchronous=FULL the commit has reached the disk when write returns.
func (j *Journal) write(ctx context.Context, fn func(*sql.Tx) error) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// nextSequence takes the next number of the durable order sequence.
func nextSequence(ctx context.Context, tx *sql.Tx) (uint64, error) {
	var v uint64
	err := tx.QueryRowContext(ctx, "UPDATE counters SET value = value + 1 WHERE name = 'order_seq' RETURNING value").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("order sequence: %w", err)
	}
	return v, nil
}
