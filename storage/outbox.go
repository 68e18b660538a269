package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"qrpos/hq/wire"
)

// The outbox (migration 0007): every change the journal records is also an
// entry for head office, written by triggers in the same transaction as the
// change, with a sequence number that strictly increases per journal with no
// gap. The uploader reads the entries after its cursor (Outbox) and moves
// the cursor to what head office acknowledged (SetUploadCursor).

// outboxVersion is the migration that brought the outbox.
const outboxVersion = 7

// ackRowSpan is how long one row of outbox_acks collects cursor moves
// before the next row starts: pruning knows when an entry was acked to
// within this.
const ackRowSpan = time.Hour

// pruneChunk is the most entries one pruning transaction deletes, so that a
// sale never waits long behind it.
const pruneChunk = 2000

func (j *Journal) needOutbox(op string) error {
	if j.version < outboxVersion {
		return fmt.Errorf("%s: journal %s has schema %d, the outbox came with %d; open it with Open once to bring it up to date",
			op, j.path, j.version, outboxVersion)
	}
	return nil
}

// Outbox lists up to limit entries (at most wire.MaxBatch) with a sequence
// above afterSeq, ascending.
func (j *Journal) Outbox(ctx context.Context, afterSeq int64, limit int) ([]wire.Entry, error) {
	if err := j.needOutbox("outbox"); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > wire.MaxBatch {
		limit = wire.MaxBatch
	}
	rows, err := j.db.QueryContext(ctx, "SELECT seq, kind, at, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []wire.Entry
	for rows.Next() {
		var e wire.Entry
		var body string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.At, &body); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		e.Body = json.RawMessage(body)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// lastSeqQuery is the highest sequence the outbox ever gave (0: none): the
// newest entry's, or when every entry was pruned, the one AUTOINCREMENT
// remembers.
const lastSeqQuery = `SELECT coalesce((SELECT max(seq) FROM outbox),
	(SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)`

// UploadCursor is the highest sequence head office acknowledged (0: none):
// it holds every entry up to it.
func (j *Journal) UploadCursor(ctx context.Context) (int64, error) {
	if err := j.needOutbox("upload cursor"); err != nil {
		return 0, err
	}
	var acked int64
	if err := j.db.QueryRowContext(ctx, "SELECT acked FROM outbox_cursor WHERE id = 1").Scan(&acked); err != nil {
		return 0, fmt.Errorf("upload cursor: %w", err)
	}
	return acked, nil
}

// SetUploadCursor records an answer from head office that acknowledged
// every entry up to acked, and returns the cursor now in force: it never
// moves backwards and never beyond the last entry (a head office that holds
// more, from a copy of this journal, does not make it skip entries not yet
// written). The time of the answer is the last upload either way.
func (j *Journal) SetUploadCursor(ctx context.Context, acked int64) (int64, error) {
	if err := j.needOutbox("set upload cursor"); err != nil {
		return 0, err
	}
	now := j.now().UnixNano()
	var cur int64
	err := j.write(ctx, func(tx *sql.Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT acked, ("+lastSeqQuery+") FROM outbox_cursor WHERE id = 1").Scan(&cur, &last); err != nil {
			return err
		}
		if acked > cur {
			cur = min(acked, last)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox_cursor SET acked = ?, uploaded_at = ? WHERE id = 1", cur, now); err != nil {
			return err
		}
		return noteAck(ctx, tx, cur, now)
	})
	if err != nil {
		return 0, fmt.Errorf("set upload cursor %d: %w", acked, err)
	}
	return cur, nil
}

// noteAck records in outbox_acks that every entry up to acked was acked by
// now: it moves the newest row forward, or starts a new one when the newest
// row is older than ackRowSpan.
func noteAck(ctx context.Context, tx *sql.Tx, acked, now int64) error {
	var since, prev int64
	err := tx.QueryRowContext(ctx, "SELECT since, acked FROM outbox_acks ORDER BY since DESC LIMIT 1").Scan(&since, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil && acked == prev {
		return nil // nothing new was acked: the newest row still says it all
	}
	if err == nil && now-since < int64(ackRowSpan) {
		_, err = tx.ExecContext(ctx, "UPDATE outbox_acks SET at = ?, acked = ? WHERE since = ?", max(now, since), acked, since)
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT OR REPLACE INTO outbox_acks (since, at, acked) VALUES (?, ?, ?)", now, now, acked)
	return err
}

// OutboxBacklog is how many entries head office does not hold yet and
// may still get (the pruned ones it never will), and when head office
// last answered (zero: never).
func (j *Journal) OutboxBacklog(ctx context.Context) (n int64, lastUpload time.Time, err error) {
	if err := j.needOutbox("outbox backlog"); err != nil {
		return 0, time.Time{}, err
	}
	var acked, at, last, pruned int64
	err = j.db.QueryRowContext(ctx, "SELECT acked, uploaded_at, ("+lastSeqQuery+"), ("+prunedThroughQuery+") FROM outbox_cursor WHERE id = 1").
		Scan(&acked, &at, &last, &pruned)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("outbox backlog: %w", err)
	}
	return max(last-max(acked, pruned), 0), fromNanos(at), nil
}

// PruneOutbox deletes the entries head office acknowledged more than
// olderThan ago (a few thousand per transaction, so that no sale waits
// behind it) and returns how many went. Entries not yet acknowledged, and
// those acknowledged since, stay.
func (j *Journal) PruneOutbox(ctx context.Context, olderThan time.Duration) (int64, error) {
	if err := j.needOutbox("prune outbox"); err != nil {
		return 0, err
	}
	cutoff := j.now().Add(-olderThan).UnixNano()
	var upTo int64
	err := j.db.QueryRowContext(ctx, "SELECT coalesce(max(acked), 0) FROM outbox_acks WHERE at <= ?", cutoff).Scan(&upTo)
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	n, err := j.deleteOutboxThrough(ctx, upTo, func(tx *sql.Tx) error {
		// The acks it used say nothing more.
		_, err := tx.ExecContext(ctx, "DELETE FROM outbox_acks WHERE at <= ? AND acked <= ?", cutoff, upTo)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("prune outbox: %w", err)
	}
	return n, nil
}

// PruneUnsent deletes the entries written more than olderThan ago, sent
// or not, and returns how many went. Only a terminal without head office
// calls it: head office, configured later, gets the entries of the last
// olderThan and counts the rest as missing (PrunedThrough tells it).
func (j *Journal) PruneUnsent(ctx context.Context, olderThan time.Duration) (int64, error) {
	if err := j.needOutbox("prune unsent"); err != nil {
		return 0, err
	}
	cutoff := j.now().Add(-olderThan).UnixNano()
	var upTo int64
	if err := j.db.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox WHERE at <= ?", cutoff).Scan(&upTo); err != nil {
		return 0, fmt.Errorf("prune unsent: %w", err)
	}
	n, err := j.deleteOutboxThrough(ctx, upTo, nil)
	if err != nil {
		return n, fmt.Errorf("prune unsent: %w", err)
	}
	return n, nil
}

// deleteOutboxThrough deletes the entries up to seq upTo, a chunk per
// transaction; done runs in the transaction that finds none left.
func (j *Journal) deleteOutboxThrough(ctx context.Context, upTo int64, done func(*sql.Tx) error) (int64, error) {
	var total int64
	for {
		var n int64
		err := j.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq IN
				(SELECT seq FROM outbox WHERE seq <= ? ORDER BY seq LIMIT ?)`, upTo, pruneChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			if err != nil || n > 0 || done == nil {
				return err
			}
			return done(tx)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// prunedThroughQuery is the highest sequence the outbox no longer holds
// (0: it holds every entry it gave): the one before its oldest entry, or
// when none is left, the last it gave.
const prunedThroughQuery = `SELECT coalesce((SELECT min(seq) FROM outbox) - 1, (` + lastSeqQuery + `))`

// PrunedThrough is the highest sequence whose entry the outbox deleted,
// with every entry before it (0: none): head office may lack them and
// can no longer get them.
func (j *Journal) PrunedThrough(ctx context.Context) (int64, error) {
	if err := j.needOutbox("pruned through"); err != nil {
		return 0, err
	}
	var n int64
	if err := j.db.QueryRowContext(ctx, prunedThroughQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("pruned through: %w", err)
	}
	return n, nil
}

// scrubOutboxProfiles gives every profile entry of the outbox the settings
// the profiles table holds now for its terminal (its seq, at and
// updated_at stay). Scrub runs it once the engine took the secrets an
// older version kept in the profile out of the table: the entries the
// triggers (or migration 0007) copied from it must not carry them to head
// office, nor keep them on the disk.
const scrubOutboxProfiles = `UPDATE outbox SET body = json_set(outbox.body, '$.settings',
	CASE WHEN json_valid(p.settings) THEN json(p.settings) ELSE p.settings END)
FROM profiles p WHERE outbox.kind = 'profile' AND p.tid = json_extract(outbox.body, '$.tid')`

// HQProfileVersion is the version of the last profile from head office the
// terminal applied (0: none).
func (j *Journal) HQProfileVersion(ctx context.Context) (int64, error) {
	if err := j.needOutbox("hq profile version"); err != nil {
		return 0, err
	}
	var v int64
	if err := j.db.QueryRowContext(ctx, "SELECT profile_version FROM outbox_cursor WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("hq profile version: %w", err)
	}
	return v, nil
}

// SetHQProfileVersion records that the terminal applied head office's
// profile version v (it never goes back).
func (j *Journal) SetHQProfileVersion(ctx context.Context, v int64) error {
	if err := j.needOutbox("set hq profile version"); err != nil {
		return err
	}
	err := j.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE outbox_cursor SET profile_version = max(profile_version, ?) WHERE id = 1", v)
		return err
	})
	if err != nil {
		return fmt.Errorf("set hq profile version %d: %w", v, err)
	}
	return nil
}
