package store

import (
	"cmp"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Order is an order's newest state at head office. Amounts are minor
// units of Currency.
type Order struct {
	TID            string
	Store          string
	OutTradeNo     string
	Provider       string
	Method         string // the provider's method code
	Mode           string
	AmountMinor    int64
	Currency       string
	RefundedMinor  int64
	State          string
	ProviderRef    string
	AuthCodeMasked string
	Reason         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const orderColumns = `tid, store, out_trade_no, provider, method, mode, amount_minor, currency,
	refunded_minor, state, provider_ref, auth_code_masked, reason, created_at, updated_at`

func scanOrders(rows pgx.Rows) ([]Order, error) {
	var out []Order
	var o Order
	_, err := pgx.ForEachRow(rows, []any{&o.TID, &o.Store, &o.OutTradeNo, &o.Provider, &o.Method, &o.Mode,
		&o.AmountMinor, &o.Currency, &o.RefundedMinor, &o.State, &o.ProviderRef, &o.AuthCodeMasked, &o.Reason,
		&o.CreatedAt, &o.UpdatedAt}, func() error {
		out = append(out, o)
		return nil
	})
	return out, err
}

// OrderFilter selects orders created in [From, To) of one terminal
// and/or one store ("": any).
type OrderFilter struct {
	From, To   time.Time
	TID, Store string
	Limit      int // 0: all
}

// Orders lists the orders f selects, oldest first.
func (db *DB) Orders(ctx context.Context, f OrderFilter) ([]Order, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE created_at >= $1 AND created_at < $2 AND ($3 = '' OR tid = $3) AND ($4 = '' OR store = $4)
		ORDER BY created_at, tid, out_trade_no LIMIT nullif($5::bigint, 0)`,
		f.From, f.To, f.TID, f.Store, f.Limit)
	if err != nil {
		return nil, err
	}
	return scanOrders(rows)
}

// Amount is an amount in one currency, for a search.
type Amount struct {
	Currency string
	Minor    int64
}

// Search finds orders by number or provider reference (exactly or by its
// start) or by amount, newest first.
type Search struct {
	Text     string   // matched against out_trade_no and provider_ref; "" matches none
	Amounts  []Amount // orders of any of these amounts
	Store    string   // "": any
	From, To time.Time
	Limit    int // at most this many (0: 100)
}

// searchCandidates bounds the orders one way of matching (number,
// reference, amount) hands on to the sort: a text that matches more (a
// prefix of a few characters) shows the first this many by that key.
const searchCandidates = 1000

// searchSQL finds the candidates by each way of matching on its own
// index (a prefix as a range of text_pattern_ops, which also serves when
// the plan is generic), then sorts them newest first. $1 prefix, $2
// currencies, $3 minor units, $4 store, $5-$6 period, $7 limit, $8 the
// most candidates of each way.
const searchSQL = `WITH hits AS (
	(SELECT tid, out_trade_no FROM orders WHERE $1 <> '' AND out_trade_no ~>=~ $1 AND out_trade_no ~<~ ($1 || chr(1114111))
		AND created_at >= $5 AND created_at < $6 ORDER BY out_trade_no LIMIT $8)
	UNION
	(SELECT tid, out_trade_no FROM orders WHERE $1 <> '' AND provider_ref <> ''
		AND provider_ref ~>=~ $1 AND provider_ref ~<~ ($1 || chr(1114111))
		AND created_at >= $5 AND created_at < $6 ORDER BY provider_ref LIMIT $8)
	UNION
	(SELECT o.tid, o.out_trade_no FROM orders o JOIN unnest($3::bigint[], $2::text[]) AS a(minor, cur)
		ON o.amount_minor = a.minor AND o.currency = a.cur
		WHERE o.created_at >= $5 AND o.created_at < $6 ORDER BY o.created_at DESC LIMIT $8))
SELECT ` + orderColumns + ` FROM orders JOIN hits USING (tid, out_trade_no)
WHERE ($4 = '' OR store = $4)
ORDER BY created_at DESC, tid, out_trade_no LIMIT $7`

// SearchOrders runs s.
func (db *DB) SearchOrders(ctx context.Context, s Search) ([]Order, error) {
	var curs []string
	var minors []int64
	for _, a := range s.Amounts {
		curs, minors = append(curs, a.Currency), append(minors, a.Minor)
	}
	if s.To.IsZero() {
		s.To = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if strings.ContainsAny(s.Text, "\x00"+string(utf8.MaxRune)) || !utf8.ValidString(s.Text) {
		return nil, nil // no order number or reference holds it
	}
	rows, err := db.pool.Query(ctx, searchSQL, s.Text, curs, minors, s.Store, s.From, s.To, cmp.Or(s.Limit, 100), searchCandidates)
	if err != nil {
		return nil, err
	}
	return scanOrders(rows)
}

// Event is one step of an order's timeline.
type Event struct {
	At        time.Time
	Kind      string
	StateFrom string
	StateTo   string
	Detail    string
}

// Refund is a refund's newest state at head office.
type Refund struct {
	RefundNo    string
	AmountMinor int64
	Currency    string
	State       string
	ProviderRef string
	Reason      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// OrderDetail is one order with its timeline (oldest first) and refunds.
type OrderDetail struct {
	Order
	Timeline []Event
	Refunds  []Refund
}

// Order is order no of terminal tid with its timeline, or ErrNotFound.
func (db *DB) Order(ctx context.Context, tid, no string) (OrderDetail, error) {
	var d OrderDetail
	rows, err := db.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders WHERE tid = $1 AND out_trade_no = $2`, tid, no)
	if err != nil {
		return d, err
	}
	found, err := scanOrders(rows)
	if err != nil {
		return d, err
	}
	if len(found) == 0 {
		return d, ErrNotFound
	}
	d.Order = found[0]
	if d.Timeline, err = db.timeline(ctx, tid, no); err != nil {
		return d, err
	}
	d.Refunds, err = db.refunds(ctx, tid, no)
	return d, err
}

func (db *DB) timeline(ctx context.Context, tid, no string) ([]Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT at, kind, state_from, state_to, detail FROM order_events
		WHERE tid = $1 AND out_trade_no = $2 ORDER BY at_ns, journal_id, seq`, tid, no)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
}

func (db *DB) refunds(ctx context.Context, tid, no string) ([]Refund, error) {
	rows, err := db.pool.Query(ctx, `SELECT refund_no, amount_minor, currency, state, provider_ref, reason,
		created_at, updated_at FROM refunds WHERE tid = $1 AND out_trade_no = $2 ORDER BY created_at, refund_no`, tid, no)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Refund])
}
