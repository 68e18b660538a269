package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Conflict is an entry that arrived with a key head office already held
// with other content (a journal restored from an old backup, say): both
// versions, for a person to look at. The stored one stays.
type Conflict struct {
	ID         int64
	TID        string
	Store      string
	JournalID  string
	Seq        int64
	ReceivedAt time.Time
	Stored     Content
	New        Content
}

// Content is one version of an entry.
type Content struct {
	Kind string
	At   int64
	Body json.RawMessage
}

// Conflicts lists the conflicts of shop's terminals ("": all), newest
// first, at most limit.
func (db *DB) Conflicts(ctx context.Context, shop string, limit int) ([]Conflict, error) {
	rows, err := db.pool.Query(ctx, `SELECT c.id, j.tid, t.store, c.journal_id, c.seq, c.received_at,
		e.kind, e.at, e.body, c.kind, c.at, c.body
		FROM conflicts c JOIN journals j ON j.journal_id = c.journal_id JOIN terminals t ON t.tid = j.tid
		JOIN entries e ON e.journal_id = c.journal_id AND e.seq = c.seq
		WHERE $1 = '' OR t.store = $1 ORDER BY c.id DESC LIMIT $2`, shop, limit)
	if err != nil {
		return nil, err
	}
	var out []Conflict
	var c Conflict
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.TID, &c.Store, &c.JournalID, &c.Seq, &c.ReceivedAt,
		&c.Stored.Kind, &c.Stored.At, &c.Stored.Body, &c.New.Kind, &c.New.At, &c.New.Body}, func() error {
		out = append(out, c)
		c.Stored.Body, c.New.Body = nil, nil
		return nil
	})
	return out, err
}
