package store

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"qrpos/hq/wire"
)

// Ingest stores an upload in one transaction: every entry whose key
// (journal, seq) is new is inserted and projected; a key already held
// with the same content is skipped; one held with other content is kept
// as a conflict and never overwrites. The Ack says up to which seq head
// office now holds every entry of the journal, and carries the newest
// profile an admin made for the terminal when it runs an older one.
func (db *DB) Ingest(ctx context.Context, u Upload) (wire.Ack, error) {
	var ack wire.Ack
	err := db.write(ctx, func(tx pgx.Tx) error {
		var err error
		ack, err = db.ingest(ctx, tx, u)
		return err
	})
	if err != nil {
		return wire.Ack{}, err
	}
	return ack, nil
}

func (db *DB) ingest(ctx context.Context, tx pgx.Tx, u Upload) (wire.Ack, error) {
	ack := wire.Ack{JournalID: u.JournalID}
	shop, err := lockJournal(ctx, tx, u)
	if err != nil {
		return ack, err
	}
	fresh, err := insertEntries(ctx, tx, u)
	if err != nil {
		return ack, err
	}
	if ack.Conflicts, err = keepConflicts(ctx, tx, u, fresh); err != nil {
		return ack, err
	}
	if err := project(ctx, tx, u, shop, fresh); err != nil {
		return ack, err
	}
	if ack.Acked, err = advance(ctx, tx, u.JournalID, u.PrunedThrough); err != nil {
		return ack, err
	}
	if err := saveStatus(ctx, tx, u); err != nil {
		return ack, err
	}
	if ack.Profile, err = pendingProfile(ctx, tx, u.TID, u.Status.ProfileVersion); err != nil {
		return ack, err
	}
	if db.beforeCommit != nil {
		db.beforeCommit(ctx)
	}
	return ack, ctx.Err()
}

// lockJournal binds a journal seen for the first time to the uploading
// terminal, refuses one bound to another, and locks its row so batches of
// one journal are stored one after the other. It returns the terminal's
// store.
func lockJournal(ctx context.Context, tx pgx.Tx, u Upload) (string, error) {
	_, err := tx.Exec(ctx, `INSERT INTO journals (journal_id, tid) VALUES ($1, $2)
		ON CONFLICT (journal_id) DO NOTHING`, u.JournalID, u.TID)
	if err != nil {
		return "", err
	}
	var owner, shop string
	err = tx.QueryRow(ctx, `SELECT j.tid, t.store FROM journals j JOIN terminals t ON t.tid = j.tid
		WHERE j.journal_id = $1 FOR UPDATE OF j`, u.JournalID).Scan(&owner, &shop)
	if err != nil {
		return "", err
	}
	if owner != u.TID {
		return "", &OtherTIDError{JournalID: u.JournalID, Owner: owner, TID: u.TID}
	}
	return shop, nil
}

// insertEntries inserts the entries whose key is new and returns their
// seqs.
func insertEntries(ctx context.Context, tx pgx.Tx, u Upload) (map[int64]bool, error) {
	fresh := map[int64]bool{}
	if len(u.Entries) == 0 {
		return fresh, nil
	}
	seqs, kinds, ats, bodies, hashes := columns(u.Entries)
	rows, err := tx.Query(ctx, `INSERT INTO entries (journal_id, seq, kind, at, body, body_hash)
		SELECT $1, s, k, a, b::jsonb, h FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bytea[]) AS u(s, k, a, b, h)
		ON CONFLICT (journal_id, seq) DO NOTHING RETURNING seq`, u.JournalID, seqs, kinds, ats, bodies, hashes)
	if err != nil {
		return nil, err
	}
	seq, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, s := range seq {
		fresh[s] = true
	}
	return fresh, err
}

func columns(es []Entry) (seqs []int64, kinds []string, ats []int64, bodies []string, hashes [][]byte) {
	for _, e := range es {
		seqs = append(seqs, e.Seq)
		kinds = append(kinds, e.Kind)
		ats = append(ats, e.At)
		bodies = append(bodies, string(e.Body))
		hashes = append(hashes, e.Hash)
	}
	return
}

// keepConflicts compares the entries that were not inserted with what
// head office holds, keeps those with other content in conflicts (once
// per content) and counts them.
func keepConflicts(ctx context.Context, tx pgx.Tx, u Upload, fresh map[int64]bool) (int, error) {
	held := map[int64]Entry{}
	var seqs []int64
	for _, e := range u.Entries {
		if !fresh[e.Seq] {
			held[e.Seq] = e
			seqs = append(seqs, e.Seq)
		}
	}
	if len(seqs) == 0 {
		return 0, nil
	}
	rows, err := tx.Query(ctx, "SELECT seq, body_hash FROM entries WHERE journal_id = $1 AND seq = ANY($2)", u.JournalID, seqs)
	if err != nil {
		return 0, err
	}
	stored := map[int64][]byte{}
	var seq int64
	var hash []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &hash}, func() error { stored[seq] = bytes.Clone(hash); return nil })
	if err != nil {
		return 0, err
	}
	var differ []Entry
	var storedHashes [][]byte
	for _, s := range seqs {
		h, ok := stored[s]
		if !ok {
			return 0, errors.New("an entry neither inserted nor held")
		}
		if !bytes.Equal(h, held[s].Hash) {
			differ = append(differ, held[s])
			storedHashes = append(storedHashes, h)
		}
	}
	return len(differ), insertConflicts(ctx, tx, u.JournalID, differ, storedHashes)
}

func insertConflicts(ctx context.Context, tx pgx.Tx, journal string, es []Entry, storedHashes [][]byte) error {
	if len(es) == 0 {
		return nil
	}
	seqs, kinds, ats, bodies, hashes := columns(es)
	_, err := tx.Exec(ctx, `INSERT INTO conflicts (journal_id, seq, stored_hash, kind, at, body, body_hash)
		SELECT $1, s, sh, k, a, b::jsonb, h
		FROM unnest($2::bigint[], $3::bytea[], $4::text[], $5::bigint[], $6::text[], $7::bytea[]) AS u(s, sh, k, a, b, h)
		ON CONFLICT (journal_id, seq, body_hash) DO NOTHING`, journal, seqs, storedHashes, kinds, ats, bodies, hashes)
	return err
}

// advance moves the journal's acked to the end of the run of seqs without
// a gap that starts right after it, and returns it. Entries the terminal
// pruned before head office got them (pruned: up to which) count as
// missing, and the run starts after them.
func advance(ctx context.Context, tx pgx.Tx, journal string, pruned int64) (int64, error) {
	var acked int64
	err := tx.QueryRow(ctx, `UPDATE journals j SET last_seen = now(),
		missing = j.missing + CASE WHEN $2 > j.acked THEN $2 - j.acked - (
			SELECT count(*) FROM entries WHERE journal_id = j.journal_id AND seq > j.acked AND seq <= $2) ELSE 0 END,
		acked = coalesce((
			SELECT max(seq) FROM (
				SELECT seq, seq - row_number() OVER (ORDER BY seq) AS run
				FROM entries WHERE journal_id = j.journal_id AND seq > greatest(j.acked, $2)) s
			WHERE run = greatest(j.acked, $2)), greatest(j.acked, $2))
		WHERE journal_id = $1 RETURNING acked`, journal, pruned).Scan(&acked)
	return acked, err
}

// saveStatus records that the terminal was seen, and its status unless a
// batch sent later already brought a newer one.
func saveStatus(ctx context.Context, tx pgx.Tx, u Upload) error {
	b := &pgx.Batch{}
	b.Queue("UPDATE terminals SET last_seen = now() WHERE tid = $1", u.TID)
	b.Queue(`UPDATE terminals SET status_at = $2, version = $3, backlog = $4, printer = $5, providers = $6, profile_version = $7
		WHERE tid = $1 AND (status_at IS NULL OR status_at <= $2)`,
		u.TID, u.SentAt, u.Version, u.Status.Backlog, u.Status.Printer, providers(u.Status.Providers), u.Status.ProfileVersion)
	return tx.SendBatch(ctx, b).Close()
}

func providers(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// pendingProfile is the newest profile version of tid when an admin made
// it at head office and the terminal runs an older one.
func pendingProfile(ctx context.Context, tx pgx.Tx, tid string, running int64) (*wire.ProfileUpdate, error) {
	var p wire.ProfileUpdate
	var source string
	err := tx.QueryRow(ctx, `SELECT version, settings, by, source FROM profiles WHERE tid = $1
		ORDER BY version DESC LIMIT 1`, tid).Scan(&p.Version, &p.Settings, &p.By, &source)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil || source != "hq" || p.Version <= running {
		return nil, err
	}
	return &p, nil
}
