package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qrpos/payments"
)

// APIRefund is one Idempotency-Key the local API received with a refund,
// and the refund it made. Like APICharge it is reserved (RefundNo "")
// before the engine journals the refund and bound to it right after, so
// that the same key sent again, also after a restart, answers with the same
// refund and never refunds twice.
type APIRefund struct {
	Key         string
	TokenID     string // who sent it ("socket", "token:…"), never the token
	RequestHash string // the request as the API read it, hashed (never the PIN)
	OutTradeNo  string // the sale refunded
	Amount      payments.Money
	RefundNo    string // "" while reserved
	CreatedAt   time.Time
}

// Bound reports whether the key has its refund.
func (r APIRefund) Bound() bool { return r.RefundNo != "" }

const apiRefundColumns = "idem_key, token_id, request_hash, out_trade_no, amount_minor, currency, refund_no, created_at"

func scanAPIRefund(row interface{ Scan(...any) error }) (APIRefund, error) {
	var r APIRefund
	var cur string
	var at int64
	if err := row.Scan(&r.Key, &r.TokenID, &r.RequestHash, &r.OutTradeNo, &r.Amount.Minor, &cur, &r.RefundNo, &at); err != nil {
		return r, err
	}
	r.Amount.Currency = payments.Currency(cur)
	r.CreatedAt = fromNanos(at)
	return r, nil
}

// ReserveRefundKey reserves r.Key for a refund about to be made, at the
// journal's time now, and reports true. When the key is already there it
// changes nothing and returns the stored row with false.
func (j *Journal) ReserveRefundKey(ctx context.Context, r APIRefund) (APIRefund, bool, error) {
	if r.Key == "" || r.OutTradeNo == "" || r.Amount.Minor <= 0 {
		return r, false, fmt.Errorf("reserve refund key %q: key, order and amount are required", r.Key)
	}
	now := j.now()
	var stored APIRefund
	created := false
	err := j.write(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = scanAPIRefund(tx.QueryRowContext(ctx, "SELECT "+apiRefundColumns+" FROM api_refunds WHERE idem_key = ?", r.Key))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_refunds (idem_key, token_id, request_hash, out_trade_no, amount_minor, currency, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Key, r.TokenID, r.RequestHash, r.OutTradeNo, r.Amount.Minor, string(r.Amount.Currency), now.UnixNano())
		r.RefundNo, r.CreatedAt = "", time.Unix(0, now.UnixNano())
		stored, created = r, true
		return err
	})
	if err != nil {
		return APIRefund{}, false, fmt.Errorf("reserve refund key: %w", err)
	}
	return stored, created, nil
}

// BindRefundKey notes the refund a reserved key made.
func (j *Journal) BindRefundKey(ctx context.Context, key, refundNo string) error {
	if err := j.bindKey(ctx, refundKeys, key, refundNo); err != nil {
		return fmt.Errorf("bind refund key to %s: %w", refundNo, err)
	}
	return nil
}

// ReleaseRefundKey forgets a reserved key whose refund was refused before
// the journal had it, so that nothing of the request stays. A bound key is
// never released.
func (j *Journal) ReleaseRefundKey(ctx context.Context, key string) error {
	if err := j.releaseKey(ctx, refundKeys, key); err != nil {
		return fmt.Errorf("release refund key: %w", err)
	}
	return nil
}

// IdempotentRefund reads a refund key (ErrNotFound when it was never used).
func (j *Journal) IdempotentRefund(ctx context.Context, key string) (APIRefund, error) {
	r, err := scanAPIRefund(j.db.QueryRowContext(ctx, "SELECT "+apiRefundColumns+" FROM api_refunds WHERE idem_key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("refund key: %w", ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("refund key: %w", err)
	}
	return r, nil
}

// RecoverRefundReservation settles a refund key that was reserved but never
// bound (the program stopped between reserving it and noting its refund).
// The engine journals the refund right after the reservation, so the
// refund, if it was made, is one of the key's sale and amount created
// within `within` after the reservation that no other key holds:
//   - exactly one: the key is bound to it (it is never refunded again);
//   - none: nothing was journalled, so nothing was sent; the reservation is
//     renewed at the journal's time now and returned unbound, for the
//     caller to refund;
//   - more than one: *AmbiguousReservationError, nothing changes.
//
// A bound key is returned as it is.
func (j *Journal) RecoverRefundReservation(ctx context.Context, key string, within time.Duration) (APIRefund, error) {
	now := j.now()
	var r APIRefund
	err := j.write(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanAPIRefund(tx.QueryRowContext(ctx, "SELECT "+apiRefundColumns+" FROM api_refunds WHERE idem_key = ?", key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("key %q: %w", key, ErrNotFound)
		}
		if err != nil || r.Bound() {
			return err
		}
		from := r.CreatedAt.UnixNano()
		rows, err := tx.QueryContext(ctx, `SELECT r.refund_no FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE o.out_trade_no = ? AND r.created_at >= ? AND r.created_at <= ? AND r.amount_minor = ? AND r.currency = ?
			  AND r.refund_no NOT IN (SELECT refund_no FROM api_refunds WHERE refund_no != '')
			ORDER BY r.created_at, r.id`, r.OutTradeNo, from, from+within.Nanoseconds(), r.Amount.Minor, string(r.Amount.Currency))
		if err != nil {
			return err
		}
		var found []string
		for rows.Next() {
			var no string
			if err := rows.Scan(&no); err != nil {
				rows.Close()
				return err
			}
			found = append(found, no)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch len(found) {
		case 0:
			r.CreatedAt = time.Unix(0, now.UnixNano())
			_, err = tx.ExecContext(ctx, "UPDATE api_refunds SET created_at = ? WHERE idem_key = ?", now.UnixNano(), key)
			return err
		case 1:
			r.RefundNo = found[0]
			_, err = tx.ExecContext(ctx, "UPDATE api_refunds SET refund_no = ? WHERE idem_key = ?", found[0], key)
			return err
		}
		return &AmbiguousReservationError{Key: key, Orders: found}
	})
	if err != nil {
		return APIRefund{}, fmt.Errorf("recover refund key: %w", err)
	}
	return r, nil
}
