// Package store is head office's PostgreSQL, through pgx: the migrations
// embedded in the binary, the exactly-once ingest of terminals' journal
// entries with the projections people query (orders, refunds, order
// events, profiles) kept up to date in the batch's own transaction, the
// queries the JSON API and the pages read, and the people: users,
// sessions, API tokens, profile versions and the admin audit.
//
// It stores and finds what it is given: it parses no HTTP, hashes no
// password and makes no token (qrpos/hq/ingest, qrpos/hq/auth do). It
// imports qrpos/hq/wire, the standard library and pgx; it must not import
// net/http, fyne, qrpos/ui or the terminal's packages.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is head office's database.
type DB struct {
	pool *pgxpool.Pool
	// beforeCommit, when set (tests only), runs inside every ingest
	// transaction after its writes and before its commit.
	beforeCommit func(ctx context.Context)
}

// ErrNotFound means no such row (terminal, order, user, token).
var ErrNotFound = errors.New("not found")

// Open connects to url (postgres://...) and brings the schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("head-office database: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("head-office database: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{pool: pool}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.pool.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// write runs fn in a transaction, again (at most 3 times in all) when
// PostgreSQL broke a deadlock or a serialization conflict by aborting it.
func (db *DB) write(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, db.pool, fn)
		if err == nil || attempt == 3 || !retryable(err) {
			return err
		}
	}
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// BadData reports whether err is PostgreSQL refusing a value (SQLSTATE
// class 22: a number out of range, a string it cannot store): the input's
// fault, not the server's.
func BadData(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && len(pe.Code) == 5 && pe.Code[:2] == "22"
}
