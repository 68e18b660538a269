// Package storage owns the journal: the one SQLite file (modernc.org/sqlite,
// pure Go) where the terminal keeps every order, the append-only event log of
// each order, refunds, the receipt print queue, terminal profiles and the
// manager audit log.
//
// The journal is the only place state is kept, and it has one owner: Open
// takes an exclusive OS lock on "<journal>.lock" and holds it until Close,
// so a second program (or a second Open in the same program) is refused at
// once with a *LockedError naming the owner. Commands that only read (pos
// orders, pos report) use OpenReadOnly, which takes no lock and writes
// nothing. The journal is opened in WAL mode with synchronous=FULL, so a call
// that returned has reached the disk; a state change is checked against the
// payments transition table inside the same transaction that writes it, and
// what belongs together (a sale and its receipt, a refund and its receipt)
// is one transaction. Order and refund numbers are random draws, never a
// counter. A journal this program cannot trust (written by a newer version,
// not a journal at all, readable by others) is refused before anything is
// written to it. Every change is also an entry of the outbox for head
// office, in the same transaction (outbox.go). It imports payments and
// hq/wire (the outbox's entries; standard library only) and nothing else of
// the project; it knows nothing of providers, devices or the UI.
package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"qrpos/payments"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when an order, refund or profile does not exist.
var ErrNotFound = errors.New("not found")

// ErrReadOnly is wrapped by every write on a journal opened with
// OpenReadOnly.
var ErrReadOnly = errors.New("journal opened read-only")

// ErrNotJournal is wrapped by the error of opening a file that is not a QR
// POS journal (not SQLite at all, or another program's database).
var ErrNotJournal = errors.New("not a QR POS journal")

// SchemaError is a journal written by a newer version of the terminal: its
// schema is above the highest migration this program knows. It is refused
// before anything is written to it.
type SchemaError struct {
	Path       string
	Have, Know int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("journal %s: schema version %d is newer than this program knows (%d): it was written by a newer version of the terminal; install that version",
		e.Path, e.Have, e.Know)
}

// ModeError is a journal file or directory that others may read (Linux and
// macOS). Fix is the command that repairs it.
type ModeError struct {
	Path string
	Mode os.FileMode
	Fix  string
}

func (e *ModeError) Error() string {
	what := "journal"
	if e.Mode.IsDir() {
		what = "journal directory"
	}
	return fmt.Sprintf("%s %s: mode %04o lets others read the terminal's records; fix it with: %s", what, e.Path, e.Mode.Perm(), e.Fix)
}

// Journal is an open journal file. It is safe for concurrent use.
type Journal struct {
	db       *sql.DB
	path     string
	now      func() time.Time
	rand     io.Reader
	readOnly bool
	lock     *fileLock // nil when read-only
	id       string
	version  int // the schema version when opened
	// wmu serialises this process's write transactions; other processes
	// wait on SQLite's busy timeout.
	wmu       sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

// Option changes how Open sets up a journal.
type Option func(*Journal)

// WithClock replaces the wall clock (tests).
func WithClock(now func() time.Time) Option { return func(j *Journal) { j.now = now } }

// WithRandom replaces crypto/rand.Reader as the source of the random part of
// order and refund numbers (tests force chosen numbers with it).
func WithRandom(r io.Reader) Option { return func(j *Journal) { j.rand = r } }

// knownVersion is the highest migration embedded in this binary.
var knownVersion = func() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	high := 0
	for _, n := range names {
		if v, err := migrationNumber(n); err == nil && v > high {
			high = v
		}
	}
	return high
}()

func migrationNumber(name string) (int, error) {
	base := strings.TrimPrefix(name, "migrations/")
	num, _, _ := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		return 0, fmt.Errorf("migration %s: name must start with its number", base)
	}
	return v, nil
}

// Open opens (creating if needed) the journal at path as its one owner and
// brings its schema up to date. It refuses, writing nothing to the journal:
// a journal another program (or another Open of this one) owns
// (*LockedError, at once, without waiting); on Linux and macOS a journal
// file or directory others may read (*ModeError); a journal of a newer
// version (*SchemaError); a file that is not a journal (ErrNotJournal). It
// never creates or changes the mode of a directory.
func Open(ctx context.Context, path string, opts ...Option) (*Journal, error) {
	j := &Journal{path: path, now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(j)
	}
	if err := checkModes(path); err != nil {
		return nil, err
	}
	lock, err := lockJournal(path)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			lock.release()
		}
	}()
	j.lock = lock
	if _, err := os.Stat(path); err == nil {
		// Look before touching: a journal this program cannot trust is
		// refused before the pragmas below (journal_mode=WAL writes the
		// file's header) or a migration could change a byte of it.
		if _, err := inspectFile(ctx, path); err != nil {
			return nil, err
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		// The journal holds the shop's sales, customers' masked codes and
		// the terminal's profile (its secrets live in the config file): only
		// its owner may read it. SQLite gives its -wal and -shm files the
		// same mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		f.Close()
	} else {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		// Deleted and overwritten content is zeroed, not left in free pages.
		"secure_delete(1)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	j.db = db
	if err := j.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.loadIdentity(ctx); err != nil {
		db.Close()
		return nil, err
	}
	ok = true
	return j, nil
}

// OpenReadOnly opens an existing journal for reading while another program
// may own it: no lock is taken, no migration runs and nothing is written
// (every write method returns an error wrapping ErrReadOnly). It refuses
// what Open refuses, except that a journal owned by someone else is the
// point. A journal of an older schema is read as it is; its ID is then
// empty.
func OpenReadOnly(ctx context.Context, path string) (*Journal, error) {
	if err := checkModes(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("journal %s: is a directory", path)
	}
	// Refusals leave no trace: the look comes first, through a connection
	// that creates no file when the journal has no -wal.
	v, err := inspectFile(ctx, path)
	if err == nil && v == 0 {
		err = fmt.Errorf("journal %s: %w (the file is empty)", path, ErrNotJournal)
	}
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	j := &Journal{db: db, path: path, now: time.Now, rand: rand.Reader, readOnly: true}
	if v, err = inspect(ctx, db, path); err == nil && v == 0 {
		err = fmt.Errorf("journal %s: %w (the file is empty)", path, ErrNotJournal)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	j.version = v
	if err := j.loadIdentity(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// checkModes refuses, on Linux and macOS, a journal directory that others
// may enter or a journal file that others may read or write.
func checkModes(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	if !di.IsDir() {
		return fmt.Errorf("journal %s: %s is not a directory", path, dir)
	}
	if di.Mode().Perm()&0o077 != 0 {
		return &ModeError{Path: dir, Mode: di.Mode(), Fix: "chmod 700 " + dir}
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return &ModeError{Path: path, Mode: fi.Mode(), Fix: "chmod 600 " + path}
	}
	return nil
}

// inspectFile looks at an existing file through a connection that cannot
// write. When there is no -wal file, every committed page is in the file
// itself and it is opened immutable: SQLite then creates no -wal or -shm
// file and takes no lock. It returns the schema version (0: a new, empty
// journal).
func inspectFile(ctx context.Context, path string) (int, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return 0, fmt.Errorf("journal %s: %w", path, err)
	}
	defer db.Close()
	return inspect(ctx, db, path)
}

// inspect decides whether db is a journal this program may use, without
// writing: it returns its schema version, 0 for a file with no tables (or
// only the empty schema_version table an interrupted first start leaves).
func inspect(ctx context.Context, db *sql.DB, path string) (int, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
			return 0, fmt.Errorf("journal %s: %w: the file is not an SQLite database", path, ErrNotJournal)
		}
		return 0, fmt.Errorf("journal %s: %w", path, err)
	}
	tables := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("journal %s: %w", path, err)
		}
		tables[n] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("journal %s: %w", path, err)
	}
	if len(tables) == 0 {
		return 0, nil
	}
	if !tables["schema_version"] {
		return 0, fmt.Errorf("journal %s: %w", path, ErrNotJournal)
	}
	var v, n int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0), count(*) FROM schema_version").Scan(&v, &n); err != nil {
		return 0, fmt.Errorf("journal %s: %w: %v", path, ErrNotJournal, err)
	}
	if n == 0 && len(tables) == 1 {
		return 0, nil
	}
	if !tables["orders"] {
		return 0, fmt.Errorf("journal %s: %w", path, ErrNotJournal)
	}
	if v > knownVersion {
		return 0, &SchemaError{Path: path, Have: v, Know: knownVersion}
	}
	return v, nil
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

// ID is the journal's identity: 16 random bytes in hex, chosen when the
// journal was created (or first opened by a program that knows identities).
// A copy of the file has the same ID; a journal deleted and created again
// has another. Empty only for an old journal opened read-only.
func (j *Journal) ID() string { return j.id }

// ReadOnly reports whether the journal was opened with OpenReadOnly.
func (j *Journal) ReadOnly() bool { return j.readOnly }

// Close closes the journal and, when it owned it, releases the lock.
func (j *Journal) Close() error {
	j.closeOnce.Do(func() {
		j.closeErr = j.db.Close()
		if j.lock != nil {
			if err := j.lock.release(); err != nil && j.closeErr == nil {
				j.closeErr = err
			}
		}
	})
	return j.closeErr
}

// afterMigration runs in a migration's transaction, after its SQL.
var afterMigration = map[int]func(ctx context.Context, tx *sql.Tx) error{
	2: func(ctx context.Context, tx *sql.Tx) error {
		var b [16]byte
		if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
			return fmt.Errorf("journal id: %w", err)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('journal_id', ?)", hex.EncodeToString(b[:]))
		return err
	},
}

// migrate applies the embedded numbered migrations not yet applied, each in
// its own transaction together with its schema_version row.
func (j *Journal) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := migrationNumber(name)
		if err != nil {
			return err
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = j.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
				version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
				return fmt.Errorf("schema_version: %w", err)
			}
			var have, n int
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0), count(*) FILTER (WHERE version = ?) FROM schema_version",
				v).Scan(&have, &n); err != nil {
				return err
			}
			if have > knownVersion {
				return &SchemaError{Path: j.path, Have: have, Know: knownVersion}
			}
			if n > 0 {
				return nil // applied already
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", strings.TrimPrefix(name, "migrations/"), err)
			}
			if after := afterMigration[v]; after != nil {
				if err := after(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", strings.TrimPrefix(name, "migrations/"), err)
				}
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", v, j.now().UnixNano())
			return err
		})
		var se *SchemaError
		if errors.As(err, &se) {
			return se
		}
		if err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
	}
	j.version = knownVersion
	return nil
}

// loadIdentity reads the journal's ID (none before schema 2).
func (j *Journal) loadIdentity(ctx context.Context) error {
	if j.version < 2 {
		return nil
	}
	if err := j.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'journal_id'").Scan(&j.id); err != nil {
		return fmt.Errorf("journal %s: journal id: %w", j.path, err)
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
	if j.readOnly {
		return fmt.Errorf("journal %s: %w", j.path, ErrReadOnly)
	}
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

// isUnique reports whether err is a UNIQUE constraint failure.
func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// numberSpace names the table and column of the other kind of number.
type numberSpace string

const (
	orderNumbers  numberSpace = "orders WHERE out_trade_no"
	refundNumbers numberSpace = "refunds WHERE refund_no"
)

// maxDraws is how many random numbers a new order or refund tries before
// giving up: with 51 random bits a second draw is already a curiosity, so
// running out means the random source is broken.
const maxDraws = 5

// drawNumber takes a fresh random number for a new order or refund inside
// tx. Order and refund numbers share one namespace at the providers, so a
// number is drawn again when other (the other kind's table and column)
// already has it, and when insert fails on the UNIQUE constraint of its own
// table.
func (j *Journal) drawNumber(ctx context.Context, tx *sql.Tx, tid string, now time.Time, other numberSpace, insert func(no string) error) (string, error) {
	for i := 0; i < maxDraws; i++ {
		no, err := payments.NewOrderNumber(tid, now, j.rand)
		if err != nil {
			return "", err
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+string(other)+" = ?)", no).Scan(&taken); err != nil {
			return "", err
		}
		if taken {
			continue
		}
		if err := insert(no); isUnique(err) {
			continue
		} else if err != nil {
			return "", err
		}
		return no, nil
	}
	return "", fmt.Errorf("no free number after %d random draws: the random source is broken", maxDraws)
}

// Scrub rewrites the journal file without its free pages (a checkpoint,
// then VACUUM), so that content deleted or overwritten by older versions
// (the profile's secrets, before they moved to the config file) is gone
// from the disk file too. The outbox's profile entries are rewritten first
// with the settings the journal holds now (scrubOutboxProfiles).
func (j *Journal) Scrub(ctx context.Context) error {
	if j.readOnly {
		return fmt.Errorf("journal %s: scrub: %w", j.path, ErrReadOnly)
	}
	j.wmu.Lock()
	defer j.wmu.Unlock()
	if j.version >= outboxVersion {
		if _, err := j.db.ExecContext(ctx, scrubOutboxProfiles); err != nil {
			return fmt.Errorf("journal %s: scrub: %w", j.path, err)
		}
	}
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := j.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("journal %s: scrub: %w", j.path, err)
		}
	}
	return nil
}
