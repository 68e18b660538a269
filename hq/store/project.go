package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// project brings the queryable tables up to date from the newly inserted
// entries only, in seq order, in the batch's transaction. An order's or
// refund's row takes a snapshot only when it is newer than the one it
// holds, so a late, older snapshot changes nothing.
func project(ctx context.Context, tx pgx.Tx, u Upload, shop string, fresh map[int64]bool) error {
	b := &pgx.Batch{}
	for _, e := range u.Entries {
		if !fresh[e.Seq] {
			continue
		}
		switch {
		case e.Order != nil:
			queueOrder(b, u, shop, e)
		case e.Refund != nil:
			queueRefund(b, u, shop, e)
		case e.Event != nil:
			queueEvent(b, u, e)
		case e.Profile != nil:
			b.Queue(`INSERT INTO profiles (tid, version, settings, by, source) VALUES ($1, $2, $3, $4, 'terminal')
				ON CONFLICT (tid, version) DO NOTHING`, u.TID, e.Profile.UpdatedAt, string(e.Profile.Settings), "terminal "+u.TID)
		}
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// ns is a journal time (unix nanoseconds) as a time.
func ns(v int64) time.Time { return time.Unix(0, v).UTC() }

// newer is the condition under which a row takes a snapshot: a later
// update, or the same update time and a later entry of the same journal.
const newer = `excluded.updated_ns > %[1]s.updated_ns OR (excluded.updated_ns = %[1]s.updated_ns
	AND excluded.journal_id = %[1]s.journal_id AND excluded.seq > %[1]s.seq)`

var upsertOrder = `INSERT INTO orders (tid, out_trade_no, store, journal_id, seq, provider, method, mode,
	amount_minor, currency, refunded_minor, state, provider_ref, auth_code_masked, reason,
	created_at, updated_at, updated_ns)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	ON CONFLICT (tid, out_trade_no) DO UPDATE SET journal_id = excluded.journal_id, seq = excluded.seq,
	provider = excluded.provider, method = excluded.method, mode = excluded.mode,
	amount_minor = excluded.amount_minor, currency = excluded.currency, refunded_minor = excluded.refunded_minor,
	state = excluded.state, provider_ref = excluded.provider_ref, auth_code_masked = excluded.auth_code_masked,
	reason = excluded.reason, created_at = excluded.created_at, updated_at = excluded.updated_at,
	updated_ns = excluded.updated_ns
	WHERE ` + fmt.Sprintf(newer, "orders")

func queueOrder(b *pgx.Batch, u Upload, shop string, e Entry) {
	o := e.Order
	b.Queue(upsertOrder, u.TID, o.OutTradeNo, shop, u.JournalID, e.Seq, o.Provider, o.Method, o.Mode,
		o.AmountMinor, o.Currency, o.RefundedMinor, o.State, o.ProviderRef, o.AuthCodeMasked, o.Reason,
		ns(o.CreatedAt), ns(o.UpdatedAt), o.UpdatedAt)
}

var upsertRefund = `INSERT INTO refunds (tid, refund_no, out_trade_no, store, journal_id, seq, amount_minor,
	currency, state, provider_ref, reason, created_at, updated_at, updated_ns)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
	ON CONFLICT (tid, refund_no) DO UPDATE SET out_trade_no = excluded.out_trade_no,
	journal_id = excluded.journal_id, seq = excluded.seq, amount_minor = excluded.amount_minor,
	currency = excluded.currency, state = excluded.state, provider_ref = excluded.provider_ref,
	reason = excluded.reason, created_at = excluded.created_at, updated_at = excluded.updated_at,
	updated_ns = excluded.updated_ns
	WHERE ` + fmt.Sprintf(newer, "refunds")

func queueRefund(b *pgx.Batch, u Upload, shop string, e Entry) {
	r := e.Refund
	b.Queue(upsertRefund, u.TID, r.RefundNo, r.OutTradeNo, shop, u.JournalID, e.Seq, r.AmountMinor,
		r.Currency, r.State, r.ProviderRef, r.Reason, ns(r.CreatedAt), ns(r.UpdatedAt), r.UpdatedAt)
}

func queueEvent(b *pgx.Batch, u Upload, e Entry) {
	v := e.Event
	b.Queue(`INSERT INTO order_events (journal_id, seq, tid, out_trade_no, at, at_ns, kind, state_from, state_to, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (journal_id, seq) DO NOTHING`,
		u.JournalID, e.Seq, u.TID, v.OutTradeNo, ns(v.At), v.At, v.Kind, v.StateFrom, v.StateTo, v.Detail)
}
