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

// Event kinds of an order's log.
const (
	EventCreated      = "created"      // the order was journalled
	EventRequest      = "request"      // about to send a request (write-ahead)
	EventResponse     = "response"     // a verified answer came back
	EventNoAnswer     = "no_answer"    // a request's outcome is unknown
	EventNotification = "notification" // a verified provider notification
	EventState        = "state"        // the order's state changed
	EventRefund       = "refund"       // a refund of this order moved
	EventNote         = "note"         // anything else worth keeping
)

// Event is one line of an order's append-only log.
type Event struct {
	ID        int64
	At        time.Time
	Kind      string
	StateFrom payments.State
	StateTo   payments.State
	Detail    string // plain text or JSON; never a secret or a full auth code
}

// NewOrder is what the engine knows of a sale before it exists.
type NewOrder struct {
	TID        string
	Provider   payments.Provider
	MethodCode string
	Mode       payments.Mode
	Amount     payments.Money
	ExpiresAt  time.Time
	// AuthCode is the customer's CPM code; the journal keeps it masked.
	AuthCode string
	// Detail goes into the "created" event.
	Detail string
}

// Change is what a state change or an update also records.
type Change struct {
	ProviderRef string // set when not empty
	QRCode      string // set when not empty
	Reason      string // set when not empty
	Kind        string // the event kind; EventState when empty
	Detail      string
	// Receipt, when set, is called by Transition inside the transaction,
	// after the state change, with the order as it now stands; the job it
	// returns is queued for the printer (linked to the order) in the same
	// transaction, so a sale is never paid without its receipt queued. An
	// error from it rolls the whole transition back. It must not call the
	// journal. Update ignores it.
	Receipt func(o payments.Order) (PrintJob, error)
	// CashAmount and ExchangeRate, set when CashAmount is not zero: what
	// the customer paid in their own currency, as the provider says.
	CashAmount   payments.Money
	ExchangeRate string
}

const orderColumns = `out_trade_no, tid, provider, method, mode, amount_minor, currency, refunded_minor,
	state, provider_ref, qr_code, auth_code_masked, reason, created_at, updated_at, expires_at,
	cash_minor, cash_currency, exchange_rate`

func scanOrder(row interface{ Scan(...any) error }) (payments.Order, error) {
	var o payments.Order
	var cur, prov, mode, state, cashCur string
	var created, updated, expires int64
	err := row.Scan(&o.OutTradeNo, &o.TID, &prov, &o.MethodCode, &mode, &o.Amount.Minor, &cur, &o.Refunded.Minor,
		&state, &o.ProviderRef, &o.QRCode, &o.AuthCode, &o.Reason, &created, &updated, &expires,
		&o.CashAmount.Minor, &cashCur, &o.ExchangeRate)
	o.CashAmount.Currency = payments.Currency(cashCur)
	if err != nil {
		return o, err
	}
	o.Provider = payments.Provider(prov)
	o.Mode = payments.Mode(mode)
	o.State = payments.State(state)
	o.Amount.Currency = payments.Currency(cur)
	o.Refunded.Currency = o.Amount.Currency
	o.CreatedAt, o.UpdatedAt, o.ExpiresAt = fromNanos(created), fromNanos(updated), fromNanos(expires)
	return o, nil
}

// CreateOrder draws a new random order number (payments.NewOrderNumber: the
// tid, the date, 10 random characters) and writes the order in state created
// together with its "created" event, in one durable transaction. A number
// the journal already has as an order or a refund number is drawn again.
func (j *Journal) CreateOrder(ctx context.Context, n NewOrder) (payments.Order, error) {
	if n.Amount.Minor <= 0 || !n.Amount.Currency.Valid() {
		return payments.Order{}, fmt.Errorf("create order: bad amount %v", n.Amount)
	}
	if _, err := payments.LookupMethod(n.Provider, n.MethodCode); err != nil {
		return payments.Order{}, fmt.Errorf("create order: %w", err)
	}
	now := j.now()
	var no string
	masked := ""
	if n.AuthCode != "" {
		masked = payments.MaskSecret(n.AuthCode)
	}
	err := j.write(ctx, func(tx *sql.Tx) error {
		var id int64
		var err error
		no, err = j.drawNumber(ctx, tx, n.TID, now, refundNumbers, func(no string) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO orders (out_trade_no, tid, provider, method, mode, amount_minor,
				currency, state, settled, auth_code_masked, created_at, updated_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
				no, n.TID, string(n.Provider), n.MethodCode, string(n.Mode), n.Amount.Minor, string(n.Amount.Currency),
				string(payments.Created), masked, now.UnixNano(), now.UnixNano(), nanos(n.ExpiresAt))
			if err != nil {
				return err
			}
			id, err = res.LastInsertId()
			return err
		})
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, id, now, Event{Kind: EventCreated, StateTo: payments.Created, Detail: n.Detail})
	})
	if err != nil {
		return payments.Order{}, fmt.Errorf("create order: %w", err)
	}
	return j.Order(ctx, no)
}

func insertEvent(ctx context.Context, tx *sql.Tx, orderID int64, at time.Time, ev Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, at, kind, state_from, state_to, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, orderID, at.UnixNano(), ev.Kind, string(ev.StateFrom), string(ev.StateTo), ev.Detail)
	return err
}

// Append adds an event to an order's log without changing its state; the
// engine calls it with EventRequest before every request it sends.
func (j *Journal) Append(ctx context.Context, no string, ev Event) error {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		id, _, err := j.lookup(ctx, tx, no)
		if err != nil {
			return err
		}
		ev.StateFrom, ev.StateTo = "", ""
		return insertEvent(ctx, tx, id, now, ev)
	})
	if err != nil {
		return fmt.Errorf("journal event %s: %w", no, err)
	}
	return nil
}

func (j *Journal) lookup(ctx context.Context, tx *sql.Tx, no string) (int64, payments.Order, error) {
	var id int64
	row := tx.QueryRowContext(ctx, "SELECT id, "+orderColumns+" FROM orders WHERE out_trade_no = ?", no)
	o, err := scanOrder(prefixed{row, &id})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, o, fmt.Errorf("order %s: %w", no, ErrNotFound)
	}
	return id, o, err
}

// prefixed scans a leading id column before the order columns.
type prefixed struct {
	row interface{ Scan(...any) error }
	id  *int64
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append([]any{p.id}, dest...)...) }

// Transition moves an order to state to, checked against the transition
// table inside the transaction, and records the change as an event. With
// ch.Receipt set, the receipt it builds is queued in the same transaction.
func (j *Journal) Transition(ctx context.Context, no string, to payments.State, ch Change) (payments.Order, error) {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		id, o, err := j.lookup(ctx, tx, no)
		if err != nil {
			return err
		}
		if err := payments.CheckTransition(no, o.State, to); err != nil {
			return err
		}
		if err := applyChange(ctx, tx, id, now, &to, ch); err != nil {
			return err
		}
		kind := ch.Kind
		if kind == "" {
			kind = EventState
		}
		if err := insertEvent(ctx, tx, id, now, Event{Kind: kind, StateFrom: o.State, StateTo: to, Detail: ch.Detail}); err != nil {
			return err
		}
		if ch.Receipt == nil {
			return nil
		}
		_, o, err = j.lookup(ctx, tx, no)
		if err != nil {
			return err
		}
		job, err := ch.Receipt(o)
		if err != nil {
			return fmt.Errorf("receipt: %w", err)
		}
		if job.OutTradeNo != "" && job.OutTradeNo != no {
			return fmt.Errorf("receipt: a %s receipt of order %s", job.Kind, job.OutTradeNo)
		}
		_, err = insertPrint(ctx, tx, id, job, now)
		return err
	})
	if err != nil {
		return payments.Order{}, fmt.Errorf("order %s -> %s: %w", no, to, err)
	}
	return j.Order(ctx, no)
}

// Update records facts learnt about an order (its provider reference, its QR
// code) without changing its state.
func (j *Journal) Update(ctx context.Context, no string, ch Change) (payments.Order, error) {
	now := j.now()
	err := j.write(ctx, func(tx *sql.Tx) error {
		id, _, err := j.lookup(ctx, tx, no)
		if err != nil {
			return err
		}
		if err := applyChange(ctx, tx, id, now, nil, ch); err != nil {
			return err
		}
		kind := ch.Kind
		if kind == "" {
			kind = EventNote
		}
		return insertEvent(ctx, tx, id, now, Event{Kind: kind, Detail: ch.Detail})
	})
	if err != nil {
		return payments.Order{}, fmt.Errorf("order %s update: %w", no, err)
	}
	return j.Order(ctx, no)
}

func applyChange(ctx context.Context, tx *sql.Tx, id int64, now time.Time, to *payments.State, ch Change) error {
	sets := []string{"updated_at = ?"}
	args := []any{now.UnixNano()}
	if to != nil {
		settled := 0
		if to.Settled() {
			settled = 1
		}
		sets = append(sets, "state = ?", "settled = ?")
		args = append(args, string(*to), settled)
	}
	if ch.ProviderRef != "" {
		sets = append(sets, "provider_ref = ?")
		args = append(args, ch.ProviderRef)
	}
	if ch.QRCode != "" {
		sets = append(sets, "qr_code = ?")
		args = append(args, ch.QRCode)
	}
	if ch.Reason != "" {
		sets = append(sets, "reason = ?")
		args = append(args, ch.Reason)
	}
	if ch.CashAmount.Minor != 0 {
		sets = append(sets, "cash_minor = ?", "cash_currency = ?", "exchange_rate = ?")
		args = append(args, ch.CashAmount.Minor, string(ch.CashAmount.Currency), ch.ExchangeRate)
	}
	args = append(args, id)
	_, err := tx.ExecContext(ctx, "UPDATE orders SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...)
	return err
}

// Order reads one order by its number.
func (j *Journal) Order(ctx context.Context, no string) (payments.Order, error) {
	row := j.db.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE out_trade_no = ?", no)
	o, err := scanOrder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("order %s: %w", no, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("order %s: %w", no, err)
	}
	return o, nil
}

// Events reads an order's log, oldest first.
func (j *Journal) Events(ctx context.Context, no string) ([]Event, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT e.id, e.at, e.kind, e.state_from, e.state_to, e.detail
		FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.out_trade_no = ? ORDER BY e.id`, no)
	if err != nil {
		return nil, fmt.Errorf("events %s: %w", no, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var at int64
		var from, to string
		if err := rows.Scan(&ev.ID, &at, &ev.Kind, &from, &to, &ev.Detail); err != nil {
			return nil, err
		}
		ev.At, ev.StateFrom, ev.StateTo = fromNanos(at), payments.State(from), payments.State(to)
		out = append(out, ev)
	}
	return out, rows.Err()
}

// OpenOrders lists every order not in a settled state, oldest first: what
// recovery must finish before the first sale.
func (j *Journal) OpenOrders(ctx context.Context) ([]payments.Order, error) {
	return j.queryOrders(ctx, "SELECT "+orderColumns+" FROM orders WHERE settled = 0 ORDER BY created_at, id")
}

// Filter selects orders for history screens and reports.
type Filter struct {
	TID      string    // empty: every terminal
	From, To time.Time // created in [From, To); zero: unbounded
	Search   string    // a part of the order number or provider reference
	Limit    int       // 0: no limit
}

// Orders lists orders matching f, newest first.
func (j *Journal) Orders(ctx context.Context, f Filter) ([]payments.Order, error) {
	var where []string
	var args []any
	if f.TID != "" {
		where = append(where, "tid = ?")
		args = append(args, f.TID)
	}
	if !f.From.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, f.To.UnixNano())
	}
	if f.Search != "" {
		where = append(where, "(instr(out_trade_no, ?) > 0 OR instr(provider_ref, ?) > 0)")
		args = append(args, f.Search, f.Search)
	}
	q := "SELECT " + orderColumns + " FROM orders"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return j.queryOrders(ctx, q, args...)
}

func (j *Journal) queryOrders(ctx context.Context, q string, args ...any) ([]payments.Order, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var out []payments.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
