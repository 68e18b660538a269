package pgtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestDatabasesAreSeparate: two callers get two empty databases of one
// running cluster, on a socket in its directory.
func TestDatabasesAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := DB(t), DB(t)
	if a == b {
		t.Fatalf("two callers got one database %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE x (v int); INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'x'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("database %s sees the other's table: %d, %v", b, n, err)
	}
	var listen, fsync string
	if err := ca.QueryRow(ctx, "SELECT current_setting('listen_addresses'), current_setting('fsync')").Scan(&listen, &fsync); err != nil {
		t.Fatal(err)
	}
	if listen != "" || fsync != "off" {
		t.Fatalf("listen_addresses %q, fsync %q: want a socket-only cluster with fsync off", listen, fsync)
	}
	if _, err := os.Stat(SocketDir() + "/.s.PGSQL.5432"); err != nil {
		t.Fatalf("no socket in the cluster's directory: %v", err)
	}
}

// TestFindBin: the newest Debian version wins; with no PostgreSQL at all
// the message says how to install it.
func TestFindBin(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"9", "15", "13"} {
		os.MkdirAll(filepath.Join(dir, v, "bin"), 0o755)
		os.WriteFile(filepath.Join(dir, v, "bin", "initdb"), nil, 0o755)
	}
	none := func(string) (string, error) { return "", exec.ErrNotFound }
	if got, err := findBin("", filepath.Join(dir, "*", "bin", "initdb"), none); err != nil || got != filepath.Join(dir, "15", "bin") {
		t.Fatalf("findBin = %q, %v; want version 15", got, err)
	}
	_, err := findBin("", filepath.Join(dir, "none", "*", "initdb"), none)
	if err == nil || !strings.Contains(err.Error(), "make test") || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("no PostgreSQL: %v", err)
	}
}
