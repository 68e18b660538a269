package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Enrol records terminal tid of shop with the hash of its new token; a
// terminal enrolled again gets the new token (the old one stops working)
// and, when shop is not "", the new store.
func (db *DB) Enrol(ctx context.Context, tid, shop string, tokenHash []byte) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE terminals SET token_hash = $2, store = CASE WHEN $3 = '' THEN store ELSE $3 END
			WHERE tid = $1`, tid, tokenHash, shop)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		if shop == "" {
			return errors.New("a terminal enrolled for the first time needs its store")
		}
		_, err = tx.Exec(ctx, "INSERT INTO terminals (tid, store, token_hash) VALUES ($1, $2, $3)", tid, shop, tokenHash)
		return err
	})
}

// TerminalByToken is the tid and store of the terminal whose token has
// hash, or ErrUnknownTerminal.
func (db *DB) TerminalByToken(ctx context.Context, tokenHash []byte) (tid, shop string, err error) {
	err = db.pool.QueryRow(ctx, "SELECT tid, store FROM terminals WHERE token_hash = $1", tokenHash).Scan(&tid, &shop)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrUnknownTerminal
	}
	return tid, shop, err
}

// Terminal is an enrolled terminal as head office last heard of it.
type Terminal struct {
	TID            string
	Store          string
	EnrolledAt     time.Time
	LastSeen       *time.Time // nil: never uploaded
	Version        string
	Backlog        int64
	Printer        string
	Providers      map[string]string
	ProfileVersion int64
	Journals       []Journal // oldest first; more than one is worth a look
}

// Journal is one journal a terminal uploaded.
type Journal struct {
	JournalID string
	FirstSeen time.Time
	LastSeen  time.Time
	Acked     int64
	Missing   int64 // entries the terminal deleted before head office got them
}

// Terminals lists the terminals of shop ("": all), by store and tid.
func (db *DB) Terminals(ctx context.Context, shop string) ([]Terminal, error) {
	rows, err := db.pool.Query(ctx, `SELECT t.tid, t.store, t.enrolled_at, t.last_seen, t.version, t.backlog,
		t.printer, t.providers, t.profile_version,
		coalesce(array_agg(j.journal_id ORDER BY j.first_seen, j.journal_id) FILTER (WHERE j.journal_id IS NOT NULL), '{}'),
		coalesce(array_agg(j.first_seen ORDER BY j.first_seen, j.journal_id) FILTER (WHERE j.journal_id IS NOT NULL), '{}'),
		coalesce(array_agg(j.last_seen ORDER BY j.first_seen, j.journal_id) FILTER (WHERE j.journal_id IS NOT NULL), '{}'),
		coalesce(array_agg(j.acked ORDER BY j.first_seen, j.journal_id) FILTER (WHERE j.journal_id IS NOT NULL), '{}'),
		coalesce(array_agg(j.missing ORDER BY j.first_seen, j.journal_id) FILTER (WHERE j.journal_id IS NOT NULL), '{}')
		FROM terminals t LEFT JOIN journals j ON j.tid = t.tid
		WHERE $1 = '' OR t.store = $1
		GROUP BY t.tid ORDER BY t.store, t.tid`, shop)
	if err != nil {
		return nil, err
	}
	var out []Terminal
	var t Terminal
	var ids []string
	var first, last []time.Time
	var acked, missing []int64
	_, err = pgx.ForEachRow(rows, []any{&t.TID, &t.Store, &t.EnrolledAt, &t.LastSeen, &t.Version, &t.Backlog,
		&t.Printer, &t.Providers, &t.ProfileVersion, &ids, &first, &last, &acked, &missing}, func() error {
		c := t
		c.Journals = nil
		for i := range ids {
			c.Journals = append(c.Journals, Journal{JournalID: ids[i], FirstSeen: first[i], LastSeen: last[i], Acked: acked[i], Missing: missing[i]})
		}
		out = append(out, c)
		t.LastSeen, t.Providers = nil, nil
		return nil
	})
	return out, err
}

// TerminalStore is the store of terminal tid, or ErrNotFound.
func (db *DB) TerminalStore(ctx context.Context, tid string) (string, error) {
	var shop string
	err := db.pool.QueryRow(ctx, "SELECT store FROM terminals WHERE tid = $1", tid).Scan(&shop)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return shop, err
}
