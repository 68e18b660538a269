package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"qrpos/payments"
)

// APICharge is one Idempotency-Key of the local API and the charge it made.
// The key is reserved (ChargeID "") before the engine journals the order
// and bound to the order right after, so that the same key sent again, also
// after a restart, finds the same charge and never charges twice.
type APICharge struct {
	Key         string
	TokenID     string // who sent it ("socket", "token:…"), never the token
	RequestHash string // the request as the API read it, hashed
	ChargeID    string // the out_trade_no the charge started under; "" while reserved
	Reference   string // the till's own reference
	CreatedAt   time.Time
	// OutTradeNo is the number the charge runs under now: ChargeID, or the
	// fresh number it took when the provider already had that one.
	OutTradeNo string
	// AskID is the id of a charge the till left to the cashier (no method,
	// or any wallet's code): the till follows it by this id from the
	// start. "" for a charge the till named a method for.
	AskID string
	// AskState is where such a charge is (AskWaiting, AskCharging, or how
	// it ended without a sale); Amount is what the till asked for.
	AskState string
	Amount   payments.Money
}

// The states of a charge the till left to the cashier, before (or
// without) its order.
const (
	AskWaiting   = "waiting"   // for the cashier
	AskCharging  = "charging"  // the cashier chose; the order is being journalled
	AskDeclined  = "declined"  // the cashier declined it
	AskWithdrawn = "withdrawn" // the till cancelled it
	AskExpired   = "expired"   // nobody chose in time, or the terminal stopped first
)

// Bound reports whether the key has its charge.
func (c APICharge) Bound() bool { return c.ChargeID != "" }

// ID is what the till follows the charge by: the ask's id, or the number
// the charge started under.
func (c APICharge) ID() string {
	if c.AskID != "" {
		return c.AskID
	}
	return c.ChargeID
}

// AmbiguousReservationError: a key reserved but never bound, with more than
// one order that it may have made. Nothing was changed; a person decides.
type AmbiguousReservationError struct {
	Key    string
	Orders []string
}

func (e *AmbiguousReservationError) Error() string {
	return fmt.Sprintf("idempotency key %q: the terminal stopped before it noted its charge, and %d orders may be it (%s)",
		e.Key, len(e.Orders), strings.Join(e.Orders, ", "))
}

const apiChargeColumns = "idem_key, token_id, request_hash, charge_id, reference, created_at, out_trade_no, ask_id, ask_state, amount_minor, currency"

func scanAPICharge(row interface{ Scan(...any) error }) (APICharge, error) {
	var c APICharge
	var at int64
	var cur string
	if err := row.Scan(&c.Key, &c.TokenID, &c.RequestHash, &c.ChargeID, &c.Reference, &at, &c.OutTradeNo,
		&c.AskID, &c.AskState, &c.Amount.Minor, &cur); err != nil {
		return c, err
	}
	c.Amount.Currency = payments.Currency(cur)
	c.CreatedAt = fromNanos(at)
	if c.OutTradeNo == "" {
		c.OutTradeNo = c.ChargeID
	}
	return c, nil
}

// ReserveIdempotencyKey reserves c.Key for a charge about to be made, at
// the journal's time now, and reports true. When the key is already there
// it changes nothing and returns the stored row with false: the caller
// compares RequestHash and answers with the stored charge.
func (j *Journal) ReserveIdempotencyKey(ctx context.Context, c APICharge) (APICharge, bool, error) {
	if c.Key == "" {
		return c, false, errors.New("reserve idempotency key: empty key")
	}
	now := j.now()
	var stored APICharge
	created := false
	err := j.write(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = scanAPICharge(tx.QueryRowContext(ctx, "SELECT "+apiChargeColumns+" FROM api_charges WHERE idem_key = ?", c.Key))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if c.AskID != "" {
			c.AskState = AskWaiting
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_charges (idem_key, token_id, request_hash, charge_id, reference, created_at,
			ask_id, ask_state, amount_minor, currency) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
			c.Key, c.TokenID, c.RequestHash, c.Reference, now.UnixNano(), c.AskID, c.AskState, c.Amount.Minor, string(c.Amount.Currency))
		c.ChargeID, c.OutTradeNo, c.CreatedAt = "", "", time.Unix(0, now.UnixNano())
		stored, created = c, true
		return err
	})
	if err != nil {
		return APICharge{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	return stored, created, nil
}

// BindIdempotencyKey notes the charge a reserved key made.
func (j *Journal) BindIdempotencyKey(ctx context.Context, key, chargeID string) error {
	if err := j.bindKey(ctx, chargeKeys, key, chargeID); err != nil {
		return fmt.Errorf("bind idempotency key to %s: %w", chargeID, err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a reserved key whose charge was refused
// before any order was journalled, so that nothing of the request stays.
// A bound key is never released.
func (j *Journal) ReleaseIdempotencyKey(ctx context.Context, key string) error {
	if err := j.releaseKey(ctx, chargeKeys, key); err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// keyTable is a table of idempotency keys and its column for what a key
// made (empty while the key is only reserved).
type keyTable struct{ name, made string }

var (
	chargeKeys = keyTable{"api_charges", "charge_id"}
	refundKeys = keyTable{"api_refunds", "refund_no"}
)

// bindKey notes what a reserved key of t made.
func (j *Journal) bindKey(ctx context.Context, t keyTable, key, made string) error {
	return j.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+t.made+" = ? WHERE idem_key = ? AND "+t.made+" = ''", made, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("key %q is not reserved: %w", key, ErrNotFound)
		}
		return nil
	})
}

// releaseKey forgets a key of t that is reserved and made nothing.
func (j *Journal) releaseKey(ctx context.Context, t keyTable, key string) error {
	return j.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE idem_key = ? AND "+t.made+" = ''", key)
		return err
	})
}

// IdempotentCharge reads a key (ErrNotFound when it was never used).
func (j *Journal) IdempotentCharge(ctx context.Context, key string) (APICharge, error) {
	c, err := scanAPICharge(j.db.QueryRowContext(ctx, "SELECT "+apiChargeColumns+" FROM api_charges WHERE idem_key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("idempotency key: %w", ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("idempotency key: %w", err)
	}
	return c, nil
}

// APIChargeFor finds the API charge of an order number (the number it
// started under or the one it runs under now) or of an ask's id.
// ErrNotFound when the order was not made through the API.
func (j *Journal) APIChargeFor(ctx context.Context, no string) (APICharge, error) {
	if no == "" {
		return APICharge{}, fmt.Errorf("api charge: %w", ErrNotFound)
	}
	c, err := scanAPICharge(j.db.QueryRowContext(ctx, "SELECT "+apiChargeColumns+
		" FROM api_charges WHERE charge_id = ?1 OR (out_trade_no = ?1 AND out_trade_no != '') OR (ask_id = ?1 AND ask_id != '') LIMIT 1", no))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("api charge %s: %w", no, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("api charge %s: %w", no, err)
	}
	return c, nil
}

// APIChargesCreatedBetween lists the bound API charges whose key was
// reserved in [from, to), oldest first.
func (j *Journal) APIChargesCreatedBetween(ctx context.Context, from, to time.Time) ([]APICharge, error) {
	rows, err := j.db.QueryContext(ctx, "SELECT "+apiChargeColumns+
		" FROM api_charges WHERE charge_id != '' AND created_at >= ? AND created_at < ? ORDER BY created_at", from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("api charges: %w", err)
	}
	defer rows.Close()
	var out []APICharge
	for rows.Next() {
		c, err := scanAPICharge(rows)
		if err != nil {
			return nil, fmt.Errorf("api charges: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RenumberAPICharge notes the number a charge runs under now (the provider
// refused the first as another sale's and the engine took a fresh one).
func (j *Journal) RenumberAPICharge(ctx context.Context, chargeID, outTradeNo string) error {
	if outTradeNo == chargeID {
		outTradeNo = ""
	}
	err := j.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE api_charges SET out_trade_no = ? WHERE charge_id = ?", outTradeNo, chargeID)
		return err
	})
	if err != nil {
		return fmt.Errorf("renumber api charge %s: %w", chargeID, err)
	}
	return nil
}

// RecoverReservation settles a key that was reserved but never bound: the
// program stopped between reserving it and noting its charge. The engine
// journals the order right after the reservation, so the charge, if it was
// made, is an order of amount created within `within` after the key's
// reservation that no other key holds:
//   - exactly one such order: the key is bound to it (the charge was made;
//     it is never made again);
//   - none: the order was never journalled, so nothing was sent; the
//     reservation is renewed at the journal's time now and returned
//     unbound, for the caller to charge;
//   - more than one: *AmbiguousReservationError, nothing changes.
//
// A bound key is returned as it is.
func (j *Journal) RecoverReservation(ctx context.Context, key string, amount payments.Money, within time.Duration) (APICharge, error) {
	now := j.now()
	var c APICharge
	err := j.write(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanAPICharge(tx.QueryRowContext(ctx, "SELECT "+apiChargeColumns+" FROM api_charges WHERE idem_key = ?", key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("key %q: %w", key, ErrNotFound)
		}
		if err != nil || c.Bound() {
			return err
		}
		from := c.CreatedAt.UnixNano()
		rows, err := tx.QueryContext(ctx, `SELECT out_trade_no FROM orders
			WHERE created_at >= ? AND created_at <= ? AND amount_minor = ? AND currency = ?
			  AND out_trade_no NOT IN (SELECT charge_id FROM api_charges WHERE charge_id != '')
			  AND out_trade_no NOT IN (SELECT out_trade_no FROM api_charges WHERE out_trade_no != '')
			ORDER BY created_at, id`, from, from+within.Nanoseconds(), amount.Minor, string(amount.Currency))
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
			c.CreatedAt = time.Unix(0, now.UnixNano())
			_, err = tx.ExecContext(ctx, "UPDATE api_charges SET created_at = ? WHERE idem_key = ?", now.UnixNano(), key)
			return err
		case 1:
			c.ChargeID, c.OutTradeNo = found[0], found[0]
			_, err = tx.ExecContext(ctx, "UPDATE api_charges SET charge_id = ? WHERE idem_key = ?", found[0], key)
			return err
		}
		return &AmbiguousReservationError{Key: key, Orders: found}
	})
	if err != nil {
		return APICharge{}, fmt.Errorf("recover idempotency key: %w", err)
	}
	return c, nil
}

// SetAskState moves a charge the till left to the cashier, while its key is
// not bound: to AskCharging just before the cashier's choice journals the
// order (renewing the reservation's time, so that RecoverReservation looks
// for the order from then), or to how it ended without a sale. It reports
// false, changing nothing, when the key is bound or is no ask.
func (j *Journal) SetAskState(ctx context.Context, key, state string) (bool, error) {
	switch state {
	case AskCharging, AskDeclined, AskWithdrawn, AskExpired:
	default:
		return false, fmt.Errorf("ask state %q", state)
	}
	now := j.now()
	changed := false
	err := j.write(ctx, func(tx *sql.Tx) error {
		q := "UPDATE api_charges SET ask_state = ?1 WHERE idem_key = ?2 AND charge_id = '' AND ask_id != ''"
		if state == AskCharging {
			q = "UPDATE api_charges SET ask_state = ?1, created_at = ?3 WHERE idem_key = ?2 AND charge_id = '' AND ask_id != ''"
		}
		res, err := tx.ExecContext(ctx, q, state, key, now.UnixNano())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("ask %s: %w", state, err)
	}
	return changed, nil
}
