// Package pgtest gives tests a real, throwaway PostgreSQL: one cluster per
// test binary, started on first use, listening only on a Unix socket in a
// temporary directory, with fsync off (on with PGTEST_DURABLE set: for
// measurements); each caller of DB gets a database of
// its own. initdb refuses to run as root, so as root the cluster belongs
// to the unprivileged user nobody.
//
// When PostgreSQL is not installed, DB fails the test with a message that
// says how to install it (`make test` does): a head-office test never
// passes without the database it tests.
//
// It is for tests only (head office's and the terminal's uploader's), and
// imports only the standard library and pgx. It must not import qrpos/hq.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

var (
	once    sync.Once
	running *cluster
	failure error
	dbs     atomic.Int64
)

// Main runs a test binary's tests and then stops its cluster and removes
// its directory. Use it from TestMain: os.Exit(pgtest.Main(m)). Without
// it the cluster dies with the test binary and its directory is removed by
// the next test binary that starts one.
func Main(m *testing.M) int {
	code := m.Run()
	if running != nil {
		running.stop()
	}
	return code
}

// DB creates an empty database for t and returns its URL
// (postgres://postgres@/NAME?host=SOCKETDIR).
func DB(t testing.TB) string {
	t.Helper()
	once.Do(func() { running, failure = start() })
	if failure != nil {
		t.Fatalf("pgtest: %v", failure)
	}
	name := fmt.Sprintf("t%d", dbs.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, running.url("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return running.url(name)
}

// SocketDir is the directory of the running cluster's socket ("" before
// the first DB).
func SocketDir() string {
	if running == nil {
		return ""
	}
	return running.dir
}

// env names the variable through which a child process (a test binary
// re-run as a server) finds its parent's cluster.
const env = "PGTEST_URL"

// Shared returns the URL a parent process passed in PGTEST_URL, if any.
func Shared() (string, bool) {
	u := os.Getenv(env)
	return u, u != ""
}

// Env is the environment entry that passes url to a child process.
func Env(url string) string { return env + "=" + url }
