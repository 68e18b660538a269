package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qrpos/payments"
)

// RefundError is a refund the journal refuses before anything is sent.
type RefundError struct {
	OutTradeNo string
	Reason     string
}

func (e *RefundError) Error() string { return fmt.Sprintf("refund of %s: %s", e.OutTradeNo, e.Reason) }

const refundColumns = `r.refund_no, o.out_trade_no, r.amount_minor, r.currency, r.state, r.provider_ref, r.reason, r.created_at, r.updated_at`

func scanRefund(row interface{ Scan(...any) error }) (payments.Refund, error) {
	var r payments.Refund
	var cur, state string
	var created, updated int64
	if err := row.Scan(&r.RefundNo, &r.OutTradeNo, &r.Amount.Minor, &cur, &state, &r.ProviderRef, &r.Reason, &created, &updated); err != nil {
		return r, err
	}
	r.Amount.Currency = payments.Currency(cur)
	r.State = payments.RefundState(state)
	r.CreatedAt, r.UpdatedAt = fromNanos(created), fromNanos(updated)
	return r, nil
}

// CreateRefund journals a refund of amount against a paid order, with its own
// new random number, before anything is sent. Refund and order numbers share
// one namespace at the providers: the number is drawn again when the journal
// already has it as either. It refuses (*RefundError) methods that cannot be
// refunded, an order that has a refund still being checked with the provider
// (one refund in flight per order), and amounts above what is left.
func (j *Journal) CreateRefund(ctx context.Context, no string, amount payments.Money) (payments.Refund, error) {
	now := j.now()
	var refundNo string
	err := j.write(ctx, func(tx *sql.Tx) error {
		id, o, err := j.lookup(ctx, tx, no)
		if err != nil {
			return err
		}
		m, err := o.Method()
		if err != nil {
			return err
		}
		if !m.CanRefund {
			return &RefundError{no, fmt.Sprintf("%s cannot be refunded", m.Name)}
		}
		if !o.State.MoneyMoved() {
			return &RefundError{no, fmt.Sprintf("the order is %s, not paid", o.State)}
		}
		if amount.Currency != o.Amount.Currency || amount.Minor <= 0 {
			return &RefundError{no, fmt.Sprintf("bad amount %v", amount)}
		}
		// One refund in flight per order: a second one sent while the
		// first is unknown could refund twice what the customer is owed.
		var openNo, openCur string
		var openMinor int64
		err = tx.QueryRowContext(ctx, `SELECT refund_no, amount_minor, currency FROM refunds
			WHERE order_id = ? AND state NOT IN ('done', 'failed') ORDER BY id LIMIT 1`, id).Scan(&openNo, &openMinor, &openCur)
		if err == nil {
			return &RefundError{no, fmt.Sprintf("refund %s of %s is still being checked with the provider; wait for it before refunding again",
				openNo, payments.Money{Minor: openMinor, Currency: payments.Currency(openCur)})}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var inFlight int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount_minor), 0) FROM refunds
			WHERE order_id = ? AND state NOT IN ('done', 'failed')`, id).Scan(&inFlight); err != nil {
			return err
		}
		left := o.Refundable().Minor - inFlight
		if amount.Minor > left {
			return &RefundError{no, fmt.Sprintf("%v is more than the %v that can still be refunded", amount, payments.Money{Minor: left, Currency: amount.Currency})}
		}
		refundNo, err = j.drawNumber(ctx, tx, o.TID, now, orderNumbers, func(rno string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO refunds (refund_no, order_id, amount_minor, currency, state, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, rno, id, amount.Minor, string(amount.Currency), string(payments.RefundCreated),
				now.UnixNano(), now.UnixNano())
			return err
		})
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, id, now, Event{Kind: EventRefund,
			Detail: fmt.Sprintf("refund %s of %s created", refundNo, amount)})
	})
	if err != nil {
		return payments.Refund{}, fmt.Errorf("create refund: %w", err)
	}
	return j.Refund(ctx, refundNo)
}

// RefundChange is what a refund state change also records.
type RefundChange struct {
	ProviderRef string
	Reason      string
	Detail      string
	// Receipt, when set, is called by TransitionRefund inside the
	// transaction, after the refund (and, when it became done, the order's
	// refunded total and state) changed, with both as they now stand; the
	// job it returns is queued for the printer in the same transaction,
	// linked to the order and to this refund. An error from it rolls the
	// whole change back. It must not call the journal.
	Receipt func(o payments.Order, r payments.Refund) (PrintJob, error)
}

// TransitionRefund moves a refund to state to. When it becomes done, the
// order's refunded total grows and the order becomes partly refunded or
// refunded, in the same transaction, together with the receipt ch.Receipt
// builds.
func (j *Journal) TransitionRefund(ctx context.Context, refundNo string, to payments.RefundState, ch RefundChange) (payments.Refund, error) {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		var rid, oid, amount int64
		var state, orderNo string
		err := tx.QueryRowContext(ctx, `SELECT r.id, r.order_id, r.state, r.amount_minor, o.out_trade_no
			FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.refund_no = ?`, refundNo).
			Scan(&rid, &oid, &state, &amount, &orderNo)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("refund %s: %w", refundNo, ErrNotFound)
		}
		if err != nil {
			return err
		}
		cur := payments.RefundState(state)
		if !payments.CanRefundTransition(cur, to) {
			return fmt.Errorf("refund %s: illegal state change %s -> %s", refundNo, cur, to)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refunds SET state = ?, updated_at = ?,
			provider_ref = CASE WHEN ? = '' THEN provider_ref ELSE ? END,
			reason = CASE WHEN ? = '' THEN reason ELSE ? END WHERE id = ?`,
			string(to), now.UnixNano(), ch.ProviderRef, ch.ProviderRef, ch.Reason, ch.Reason, rid); err != nil {
			return err
		}
		detail := fmt.Sprintf("refund %s: %s -> %s", refundNo, cur, to)
		if ch.Detail != "" {
			detail += ": " + ch.Detail
		}
		if err := insertEvent(ctx, tx, oid, now, Event{Kind: EventRefund, Detail: detail}); err != nil {
			return err
		}
		if to == payments.RefundDone {
			_, o, err := j.lookup(ctx, tx, orderNo)
			if err != nil {
				return err
			}
			total := o.Refunded.Minor + amount
			next := payments.PartlyRefunded
			if total >= o.Amount.Minor {
				next = payments.Refunded
			}
			if err := payments.CheckTransition(o.OutTradeNo, o.State, next); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE orders SET refunded_minor = ?, state = ?, settled = 1, updated_at = ? WHERE id = ?",
				total, string(next), now.UnixNano(), oid); err != nil {
				return err
			}
			if err := insertEvent(ctx, tx, oid, now, Event{Kind: EventState, StateFrom: o.State, StateTo: next, Detail: "refund " + refundNo}); err != nil {
				return err
			}
		}
		if ch.Receipt == nil {
			return nil
		}
		_, o, err := j.lookup(ctx, tx, orderNo)
		if err != nil {
			return err
		}
		r, err := scanRefund(tx.QueryRowContext(ctx, "SELECT "+refundColumns+" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.id = ?", rid))
		if err != nil {
			return err
		}
		job, err := ch.Receipt(o, r)
		if err != nil {
			return fmt.Errorf("receipt: %w", err)
		}
		if job.OutTradeNo != "" && job.OutTradeNo != orderNo || job.RefundNo != "" && job.RefundNo != refundNo {
			return fmt.Errorf("receipt: a %s receipt of order %s refund %s", job.Kind, job.OutTradeNo, job.RefundNo)
		}
		job.RefundNo = refundNo
		_, err = insertPrint(ctx, tx, oid, job, now)
		return err
	})
	if err != nil {
		return payments.Refund{}, fmt.Errorf("refund %s -> %s: %w", refundNo, to, err)
	}
	return j.Refund(ctx, refundNo)
}

// Refund reads one refund by its number.
func (j *Journal) Refund(ctx context.Context, refundNo string) (payments.Refund, error) {
	row := j.db.QueryRowContext(ctx, "SELECT "+refundColumns+" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.refund_no = ?", refundNo)
	r, err := scanRefund(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("refund %s: %w", refundNo, ErrNotFound)
	}
	return r, err
}

// Refunds lists the refunds of one order, oldest first.
func (j *Journal) Refunds(ctx context.Context, no string) ([]payments.Refund, error) {
	return j.queryRefunds(ctx, "SELECT "+refundColumns+" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.out_trade_no = ? ORDER BY r.id", no)
}

// OpenRefunds lists refunds not yet settled, oldest first.
func (j *Journal) OpenRefunds(ctx context.Context) ([]payments.Refund, error) {
	return j.queryRefunds(ctx, "SELECT "+refundColumns+" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.state NOT IN ('done', 'failed') ORDER BY r.id")
}

func (j *Journal) queryRefunds(ctx context.Context, q string, args ...any) ([]payments.Refund, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	defer rows.Close()
	var out []payments.Refund
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RefundsSettledBetween lists a terminal's refunds that became done in
// [from, to), oldest first: the refunds of an end-of-day report.
func (j *Journal) RefundsSettledBetween(ctx context.Context, tid string, from, to time.Time) ([]payments.Refund, error) {
	return j.queryRefunds(ctx, "SELECT "+refundColumns+` FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE o.tid = ? AND r.state = 'done' AND r.updated_at >= ? AND r.updated_at < ? ORDER BY r.updated_at, r.id`,
		tid, from.UnixNano(), to.UnixNano())
}
