package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qrpos/payments"
)

// Taking a sale in: reconciliation found a sale the provider holds as paid
// that the journal does not hold (the journal lost it, another copy of this
// terminal made it). A manager takes it in as the provider says it is: one
// order, already paid, under the provider's number, with its "created" and
// "paid" events and the manager's audit entry, in one transaction.

// AdoptedOrder is a paid sale as the provider's record (verified by the
// caller) says it is.
type AdoptedOrder struct {
	OutTradeNo  string
	TID         string
	Provider    payments.Provider
	MethodCode  string
	Amount      payments.Money
	ProviderRef string
	// PaidAt is when the provider made the sale: the order is journalled
	// at that time, so that it counts on that day.
	PaidAt       time.Time
	CashAmount   payments.Money
	ExchangeRate string
	// Detail goes into the order's events; Audit is written with it.
	Detail string
	Audit  AuditEntry
}

// ErrNumberTaken is wrapped by AdoptOrder when the journal already holds
// the number, as a sale or as a refund.
var ErrNumberTaken = errors.New("the journal already holds this number")

// AdoptOrder journals a sale the provider holds as paid: in state paid,
// under the provider's number, reference and amount, created at PaidAt,
// with its events and a.Audit, in one transaction. It refuses a number the
// journal holds already (ErrNumberTaken), an unknown method and an amount
// that is not positive in a supported currency.
func (j *Journal) AdoptOrder(ctx context.Context, a AdoptedOrder) (payments.Order, error) {
	m, err := payments.LookupMethod(a.Provider, a.MethodCode)
	switch {
	case err != nil:
		return payments.Order{}, fmt.Errorf("take in %s: %w", a.OutTradeNo, err)
	case a.OutTradeNo == "" || a.ProviderRef == "":
		return payments.Order{}, fmt.Errorf("take in %q: the provider's number and reference are required", a.OutTradeNo)
	case a.Amount.Minor <= 0 || !a.Amount.Currency.Valid():
		return payments.Order{}, fmt.Errorf("take in %s: bad amount %v", a.OutTradeNo, a.Amount)
	case a.Audit.Action == "" || a.Audit.Actor == "":
		return payments.Order{}, fmt.Errorf("take in %s: the audit entry is required", a.OutTradeNo)
	}
	now := j.now()
	at := a.PaidAt
	if at.IsZero() {
		at = now
	}
	err = j.write(ctx, func(tx *sql.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE out_trade_no = ?)
			OR EXISTS (SELECT 1 FROM refunds WHERE refund_no = ?)`, a.OutTradeNo, a.OutTradeNo).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return ErrNumberTaken
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO orders (out_trade_no, tid, provider, method, mode, amount_minor,
			currency, state, settled, provider_ref, created_at, updated_at, cash_minor, cash_currency, exchange_rate)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
			a.OutTradeNo, a.TID, string(a.Provider), a.MethodCode, string(m.Mode), a.Amount.Minor, string(a.Amount.Currency),
			string(payments.Paid), a.ProviderRef, at.UnixNano(), now.UnixNano(),
			a.CashAmount.Minor, string(a.CashAmount.Currency), a.ExchangeRate)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, id, now, Event{Kind: EventCreated, StateTo: payments.Created, Detail: a.Detail}); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, id, now, Event{Kind: EventState, StateFrom: payments.Created, StateTo: payments.Paid, Detail: a.Detail}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO audit_log (at, tid, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
			now.UnixNano(), a.Audit.TID, a.Audit.Actor, a.Audit.Action, a.Audit.Detail)
		return err
	})
	if err != nil {
		return payments.Order{}, fmt.Errorf("take in %s: %w", a.OutTradeNo, err)
	}
	return j.Order(ctx, a.OutTradeNo)
}

// RefundsCreatedBetween lists a terminal's refunds journalled in [from,
// to), whatever their state, oldest first: the refunds a day's
// reconciliation compares.
func (j *Journal) RefundsCreatedBetween(ctx context.Context, tid string, from, to time.Time) ([]payments.Refund, error) {
	return j.queryRefunds(ctx, "SELECT "+refundColumns+` FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE o.tid = ? AND r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.id`,
		tid, from.UnixNano(), to.UnixNano())
}
