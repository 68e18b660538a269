package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SaveProfile stores a terminal's settings (JSON owned by the engine) under
// its tid, replacing what was there.
func (j *Journal) SaveProfile(ctx context.Context, tid string, settings []byte) error {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO profiles (tid, settings, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (tid) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
			tid, string(settings), now.UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("save profile %s: %w", tid, err)
	}
	return nil
}

// Profile reads a terminal's settings and when they were last saved.
func (j *Journal) Profile(ctx context.Context, tid string) ([]byte, time.Time, error) {
	var s string
	var at int64
	err := j.db.QueryRowContext(ctx, "SELECT settings, updated_at FROM profiles WHERE tid = ?", tid).Scan(&s, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, fmt.Errorf("profile %s: %w", tid, ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("profile %s: %w", tid, err)
	}
	return []byte(s), fromNanos(at), nil
}
