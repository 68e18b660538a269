package store

import "context"

// SetBeforeCommit makes f run inside every ingest transaction of db after
// its writes, before its commit.
func SetBeforeCommit(db *DB, f func(ctx context.Context)) { db.beforeCommit = f }
