package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rawExec changes a file with plain SQLite, as another program (or a newer
// version of this one) would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		writeFile(path, nil) // mode 0600, as the journal wants
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// both runs Open and OpenReadOnly on path, closing what opened.
func both(t *testing.T, path string) (openErr, roErr error) {
	t.Helper()
	ctx := context.Background()
	j, openErr := Open(ctx, path)
	if openErr == nil {
		j.Close()
	}
	r, roErr := OpenReadOnly(ctx, path)
	if roErr == nil {
		r.Close()
	}
	return openErr, roErr
}

// TestOpenRefusesNewerSchema: a journal a newer version wrote is refused by
// Open and OpenReadOnly, and not one byte of it changes (no migration, no
// pragma, no -wal or -shm file).
func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := privateDir(t)
	path := filepath.Join(dir, "pos.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	newSale(t, j, "ALIPAYHK", 100)
	j.Close()
	newer := knownVersion + 1
	rawExec(t, path, fmt.Sprintf("INSERT INTO schema_version (version, applied_at) VALUES (%d, 0)", newer),
		"CREATE TABLE from_a_newer_version (x)")
	before := filesSum(t, dir)
	openErr, roErr := both(t, path)
	for name, err := range map[string]error{"Open": openErr, "OpenReadOnly": roErr} {
		var se *SchemaError
		if !errors.As(err, &se) || se.Have != newer || se.Know != knownVersion || se.Path != path {
			t.Fatalf("%s: %v, want *SchemaError %d/%d", name, err, newer, knownVersion)
		}
		want := "journal " + path + ": schema version " + strconv.Itoa(newer) + " is newer than this program knows (" + strconv.Itoa(knownVersion) + "): it was written by a newer version of the terminal; install that version"
		if err.Error() != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, err, want)
		}
	}
	if after := filesSum(t, dir); after != before {
		t.Fatalf("a refused journal changed:\n%s\n%s", before, after)
	}
}

// TestOpenRefusesForeignSQLite: an SQLite file that is not a journal (no
// schema_version, or no orders) is refused unchanged; an SQLite file in
// rollback mode would otherwise be switched to WAL by the first pragma.
func TestOpenRefusesForeignSQLite(t *testing.T) {
	for name, stmts := range map[string][]string{
		"no schema_version": {"CREATE TABLE customers (name TEXT)", "INSERT INTO customers VALUES ('a')"},
		"no orders":         {"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER)", "INSERT INTO schema_version VALUES (1, 0)"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := privateDir(t)
			path := filepath.Join(dir, "pos.db")
			rawExec(t, path, stmts...)
			before := filesSum(t, dir)
			openErr, roErr := both(t, path)
			for _, err := range []error{openErr, roErr} {
				if !errors.Is(err, ErrNotJournal) || err.Error() != "journal "+path+": not a QR POS journal" {
					t.Fatalf("got %v, want journal %s: not a QR POS journal", err, path)
				}
			}
			if after := filesSum(t, dir); after != before {
				t.Fatalf("a foreign database changed:\n%s\n%s", before, after)
			}
		})
	}
}

func TestOpenRefusesGarbageFile(t *testing.T) {
	dir := privateDir(t)
	path := filepath.Join(dir, "pos.db")
	if err := writeFile(path, []byte(strings.Repeat("not a database ", 100))); err != nil {
		t.Fatal(err)
	}
	before := filesSum(t, dir)
	openErr, roErr := both(t, path)
	for _, err := range []error{openErr, roErr} {
		if !errors.Is(err, ErrNotJournal) || !strings.Contains(err.Error(), "not an SQLite database") {
			t.Fatalf("garbage file: %v", err)
		}
	}
	if after := filesSum(t, dir); after != before {
		t.Fatalf("the garbage file changed:\n%s\n%s", before, after)
	}
}

// TestOpenRefusesWideModes: on Linux and macOS a journal file others may
// read, or a directory others may enter, is refused with the command that
// fixes it; nothing is created, nothing is chmod-ed.
func TestOpenRefusesWideModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	ctx := context.Background()
	dir := privateDir(t)
	path := filepath.Join(dir, "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	before := filesSum(t, dir)
	openErr, roErr := both(t, path)
	for _, err := range []error{openErr, roErr} {
		var me *ModeError
		if !errors.As(err, &me) || me.Path != path || me.Mode.Perm() != 0o644 || me.Fix != "chmod 600 "+path {
			t.Fatalf("file 0644: %v", err)
		}
		want := "journal " + path + ": mode 0644 lets others read the terminal's records; fix it with: chmod 600 " + path
		if err.Error() != want {
			t.Errorf("got  %s\nwant %s", err, want)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 || filesSum(t, dir) != before {
		t.Fatal("the refused journal was changed")
	}
	os.Chmod(path, 0o600)

	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	openErr, roErr = both(t, path)
	for _, err := range []error{openErr, roErr} {
		var me *ModeError
		if !errors.As(err, &me) || me.Path != dir || me.Fix != "chmod 700 "+dir {
			t.Fatalf("directory 0750: %v", err)
		}
		want := "journal directory " + dir + ": mode 0750 lets others read the terminal's records; fix it with: chmod 700 " + dir
		if err.Error() != want {
			t.Errorf("got  %s\nwant %s", err, want)
		}
	}
	// A new journal is not created in such a directory either.
	fresh := filepath.Join(dir, "new.db")
	if _, err := Open(ctx, fresh); err == nil {
		t.Fatal("a new journal opened in a directory others can read")
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused journal created: %v", err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o750 {
		t.Fatalf("directory mode changed to %o", fi.Mode().Perm())
	}

	os.Chmod(dir, 0o700)
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("after the fixes: %v", err)
	}
	j.Close()
}

// TestOpenReadOnlyNeedsAJournal: read-only opening creates nothing: a
// missing file stays missing, an empty one is not a journal.
func TestOpenReadOnlyNeedsAJournal(t *testing.T) {
	ctx := context.Background()
	dir := privateDir(t)
	missing := filepath.Join(dir, "missing.db")
	if _, err := OpenReadOnly(ctx, missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	empty := filepath.Join(dir, "empty.db")
	writeFile(empty, nil)
	if _, err := OpenReadOnly(ctx, empty); !errors.Is(err, ErrNotJournal) {
		t.Fatalf("empty file: %v", err)
	}
	es, _ := os.ReadDir(dir)
	if len(es) != 1 {
		t.Fatalf("files left: %v", es)
	}
}

// TestMigrateRefusesNewerSchema: the migration step checks again, inside
// its transaction, and writes nothing either.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	if _, err := j.db.Exec("INSERT INTO schema_version (version, applied_at) VALUES (9, 0)"); err != nil {
		t.Fatal(err)
	}
	var se *SchemaError
	if err := j.migrate(ctx); !errors.As(err, &se) || se.Have != 9 {
		t.Fatalf("migrate over schema 9: %v", err)
	}
	if n := countRows(t, j, "schema_version"); n != knownVersion+1 {
		t.Fatalf("%d schema_version rows", n)
	}
}
