package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ProfileVersion is one version of a terminal's profile: made at head
// office (Source "hq", By the user) or uploaded by the terminal (Source
// "terminal", a manager's edit there). The highest Version wins.
type ProfileVersion struct {
	Version   int64
	Settings  json.RawMessage
	By        string
	Source    string
	CreatedAt time.Time
}

// SaveProfile stores settings as terminal tid's newest profile, made by
// user by, and audits it. Its version is now in unix nanoseconds, or one
// more than the newest version when that is later (a terminal's clock
// ahead of head office's). ErrNotFound when tid is not enrolled.
func (db *DB) SaveProfile(ctx context.Context, tid string, settings json.RawMessage, by string, now time.Time) (int64, error) {
	var version int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		var latest int64
		err := tx.QueryRow(ctx, `SELECT coalesce((SELECT max(version) FROM profiles WHERE tid = t.tid), 0)
			FROM terminals t WHERE t.tid = $1 FOR UPDATE`, tid).Scan(&latest)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		version = max(now.UnixNano(), latest+1)
		_, err = tx.Exec(ctx, `INSERT INTO profiles (tid, version, settings, by, source, created_at)
			VALUES ($1, $2, $3, $4, 'hq', $5)`, tid, version, string(settings), by, now)
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, "profile", tid+" version "+time.Unix(0, version).UTC().Format(time.RFC3339Nano))
	})
	return version, err
}

// Profiles lists terminal tid's profile versions, newest first.
func (db *DB) Profiles(ctx context.Context, tid string, limit int) ([]ProfileVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT version, settings, by, source, created_at FROM profiles
		WHERE tid = $1 ORDER BY version DESC LIMIT $2`, tid, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ProfileVersion])
}

// Audit records what a head-office person or command did.
func (db *DB) Audit(ctx context.Context, actor, action, detail string) error {
	return db.write(ctx, func(tx pgx.Tx) error { return audit(ctx, tx, actor, action, detail) })
}

func audit(ctx context.Context, tx pgx.Tx, actor, action, detail string) error {
	_, err := tx.Exec(ctx, "INSERT INTO audit (actor, action, detail) VALUES ($1, $2, $3)", actor, action, detail)
	return err
}

// AuditEntry is one line of the admin audit.
type AuditEntry struct {
	At     time.Time
	Actor  string
	Action string
	Detail string
}

// AuditLog lists the newest audit entries first.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := db.pool.Query(ctx, "SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
}

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
