package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SetBeforeCommit makes f run inside every ingest transaction of db after
// its writes, before its commit.
func SetBeforeCommit(db *DB, f func(ctx context.Context)) { db.beforeCommit = f }

// Pool is db's connection pool (for the measuring scripts).
func Pool(db *DB) *pgxpool.Pool { return db.pool }
