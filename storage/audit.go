package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEntry is one manager action: a settings change, a refund, a reprint,
// a failed PIN.
type AuditEntry struct {
	ID     int64
	At     time.Time
	TID    string
	Actor  string // "manager", "cashier", "cli"
	Action string
	Detail string // never a secret
}

// Audit appends an entry to the audit log.
func (j *Journal) Audit(ctx context.Context, e AuditEntry) error {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (at, tid, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
			now.UnixNano(), e.TID, e.Actor, e.Action, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog lists a terminal's audit entries, newest first.
func (j *Journal) AuditLog(ctx context.Context, tid string, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := j.db.QueryContext(ctx, "SELECT id, at, tid, actor, action, detail FROM audit_log WHERE tid = ? ORDER BY id DESC LIMIT ?", tid, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", tid, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.TID, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
