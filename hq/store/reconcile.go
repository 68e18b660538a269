package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconciliation with the providers (qrpos/hq/reconcile decides; this
// file keeps): the journal's side of a day (its orders and refunds of one
// provider at some terminals, and those a provider's records name), each
// run of a day with how each merchant went, and the day's differences. A
// run is started under an advisory lock of its day, so two head-office
// processes never run one day at once and the night's run is made once;
// a run that finishes replaces the day's differences, and the runs stay.

// ReconcileRun is one reconciliation of a day.
type ReconcileRun struct {
	ID          int64
	Day         string // YYYY-MM-DD, the chain's day
	By          string // "nightly", "command line" or the admin who started it
	Nightly     bool
	StartedAt   time.Time
	FinishedAt  *time.Time // nil: running, or its process stopped (see StaleRun)
	Error       string     // the run as a whole failed; it replaced nothing
	Differences int
	Merchants   []ReconcileMerchant // by name
}

// Running reports whether the run is under way at now: not finished and
// not yet stale.
func (r ReconcileRun) Running(now time.Time) bool {
	return r.FinishedAt == nil && now.Sub(r.StartedAt) < StaleRun
}

// ReconcileMerchant is how one merchant credential went in a run.
type ReconcileMerchant struct {
	Merchant  string
	Provider  string
	Stores    []string // of the terminals it served
	Terminals int
	Records   int // records the provider listed or answered
	Queries   int // sales and refunds asked about one by one
	Error     string
}

// Difference is one difference of a day between the journal (head
// office's copy of it) and a provider. Amounts are minor units; a side
// with nothing has a zero amount and an empty state.
type Difference struct {
	Merchant, Provider string
	TID, Store         string // the terminal it is about ("": no enrolled terminal)
	Kind, Title, Todo  string
	OutTradeNo         string
	RefundNo           string
	ProviderRef        string
	Method             string
	RecordTID          string // the terminal the provider's record names
	HereMinor          int64
	HereCurrency       string
	HereState          string
	ThereMinor         int64
	ThereCurrency      string
	ThereState         string
	At                 time.Time // zero: unknown
	Reason             string
}

// StaleRun is how long a run may go unfinished before it is taken as
// dead (its process stopped): another may then start.
const StaleRun = 6 * time.Hour

// RunInProgressError: a run of the day is under way.
type RunInProgressError struct{ Run ReconcileRun }

func (e *RunInProgressError) Error() string {
	return fmt.Sprintf("the reconciliation of %s that %s started at %s is still running", e.Run.Day, e.Run.By,
		e.Run.StartedAt.Format("15:04:05 (2 Jan)"))
}

// ErrNightlyDone: the night's run of the day has been made (or is under
// way in another head-office process).
var ErrNightlyDone = errors.New("the nightly reconciliation of this day is already made")

// reconcileLock is the first key of a day's advisory lock (the second is
// the day).
const reconcileLock = 0x68710002

// StartReconcileRun records a run of day (YYYY-MM-DD) by by at now and
// returns it. It refuses while another run of the day is under way
// (*RunInProgressError) and, for the nightly run, when the day has had
// its nightly run (ErrNightlyDone; one that failed as a whole, cut short
// by a shutdown say, does not count): two head-office processes that both
// start the night's run make it once.
func (db *DB) StartReconcileRun(ctx context.Context, day, by string, nightly bool, now time.Time) (ReconcileRun, error) {
	run := ReconcileRun{Day: day, By: by, Nightly: nightly, StartedAt: now}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockDay(ctx, tx, day); err != nil {
			return err
		}
		runs, err := reconcileRuns(ctx, tx, day)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Running(now) {
				return &RunInProgressError{Run: r}
			}
			if nightly && r.Nightly && r.FinishedAt != nil && r.Error == "" {
				return ErrNightlyDone
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO reconcile_runs (day, by, nightly, started_at) VALUES ($1::date, $2, $3, $4)
			RETURNING id`, day, by, nightly, now).Scan(&run.ID)
	})
	return run, err
}

func lockDay(ctx context.Context, tx pgx.Tx, day string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, ($2::date - date '2000-01-01'))`, reconcileLock, day)
	return err
}

// FinishReconcileRun records how run went: each merchant and, unless the
// run failed as a whole (runErr) or a later run of the day has finished
// meanwhile, its differences, which replace the day's.
func (db *DB) FinishReconcileRun(ctx context.Context, run ReconcileRun, ms []ReconcileMerchant, ds []Difference, runErr string, now time.Time) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		if err := lockDay(ctx, tx, run.Day); err != nil {
			return err
		}
		n := len(ds)
		if runErr != "" {
			n = 0
		}
		tag, err := tx.Exec(ctx, `UPDATE reconcile_runs SET finished_at = $2, error = $3, differences = $4
			WHERE id = $1 AND finished_at IS NULL`, run.ID, now, runErr, n)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("reconciliation run %d: no such run still open", run.ID)
		}
		b := &pgx.Batch{}
		for _, m := range ms {
			b.Queue(`INSERT INTO reconcile_merchants (run_id, merchant, provider, stores, terminals, records, queries, error)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, run.ID, m.Merchant, m.Provider, nonNil(m.Stores), m.Terminals, m.Records, m.Queries, m.Error)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil || runErr != "" {
			return err
		}
		var newer bool // a later run of the day finished first (this one was taken for dead)
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reconcile_runs WHERE day = $1::date AND id > $2
			AND finished_at IS NOT NULL AND error = '')`, run.Day, run.ID).Scan(&newer); err != nil || newer {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM reconcile_differences WHERE day = $1::date`, run.Day); err != nil {
			return err
		}
		return insertDifferences(ctx, tx, run, ds)
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var differenceColumns = []string{"day", "run_id", "merchant", "provider", "tid", "store", "kind", "title", "todo",
	"out_trade_no", "refund_no", "provider_ref", "method", "record_tid", "here_minor", "here_currency", "here_state",
	"there_minor", "there_currency", "there_state", "at", "reason"}

func insertDifferences(ctx context.Context, tx pgx.Tx, run ReconcileRun, ds []Difference) error {
	day, err := time.Parse(time.DateOnly, run.Day)
	if err != nil {
		return fmt.Errorf("reconciliation run %d: day %q: %w", run.ID, run.Day, err)
	}
	rows := make([][]any, 0, len(ds))
	for _, d := range ds {
		var at *time.Time
		if !d.At.IsZero() {
			at = &d.At
		}
		rows = append(rows, []any{day, run.ID, d.Merchant, d.Provider, d.TID, d.Store, d.Kind, d.Title, d.Todo,
			d.OutTradeNo, d.RefundNo, d.ProviderRef, d.Method, d.RecordTID, d.HereMinor, d.HereCurrency, d.HereState,
			d.ThereMinor, d.ThereCurrency, d.ThereState, at, d.Reason})
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"reconcile_differences"}, differenceColumns, pgx.CopyFromRows(rows))
	return err
}

// ReconcileRuns lists the runs of day (YYYY-MM-DD), newest first, each
// with its merchants.
func (db *DB) ReconcileRuns(ctx context.Context, day string) ([]ReconcileRun, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return reconcileRuns(ctx, tx, day)
}

func reconcileRuns(ctx context.Context, tx pgx.Tx, day string) ([]ReconcileRun, error) {
	rows, err := tx.Query(ctx, `SELECT id, to_char(day, 'YYYY-MM-DD'), by, nightly, started_at, finished_at, error, differences
		FROM reconcile_runs WHERE day = $1::date ORDER BY id DESC`, day)
	if err != nil {
		return nil, err
	}
	runs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReconcileRun, error) {
		var r ReconcileRun
		err := row.Scan(&r.ID, &r.Day, &r.By, &r.Nightly, &r.StartedAt, &r.FinishedAt, &r.Error, &r.Differences)
		return r, err
	})
	if err != nil || len(runs) == 0 {
		return runs, err
	}
	at := map[int64]int{}
	for i, r := range runs {
		at[r.ID] = i
	}
	rows, err = tx.Query(ctx, `SELECT m.run_id, m.merchant, m.provider, m.stores, m.terminals, m.records, m.queries, m.error
		FROM reconcile_merchants m JOIN reconcile_runs r ON r.id = m.run_id WHERE r.day = $1::date ORDER BY m.merchant`, day)
	if err != nil {
		return nil, err
	}
	var id int64
	var m ReconcileMerchant
	_, err = pgx.ForEachRow(rows, []any{&id, &m.Merchant, &m.Provider, &m.Stores, &m.Terminals, &m.Records, &m.Queries, &m.Error}, func() error {
		r := &runs[at[id]]
		r.Merchants = append(r.Merchants, m)
		m.Stores = nil
		return nil
	})
	return runs, err
}

// ReconcileDifferences lists the day's differences (YYYY-MM-DD) of shop
// ("": every store, and those of no enrolled terminal), by store,
// terminal and time.
func (db *DB) ReconcileDifferences(ctx context.Context, day, shop string) ([]Difference, error) {
	rows, err := db.pool.Query(ctx, `SELECT merchant, provider, tid, store, kind, title, todo, out_trade_no, refund_no,
		provider_ref, method, record_tid, here_minor, here_currency, here_state, there_minor, there_currency, there_state,
		coalesce(at, 'epoch'::timestamptz), at IS NULL, reason
		FROM reconcile_differences WHERE day = $1::date AND ($2 = '' OR store = $2)
		ORDER BY store, tid, at NULLS LAST, out_trade_no, refund_no, id`, day, shop)
	if err != nil {
		return nil, err
	}
	var out []Difference
	var d Difference
	var noTime bool
	_, err = pgx.ForEachRow(rows, []any{&d.Merchant, &d.Provider, &d.TID, &d.Store, &d.Kind, &d.Title, &d.Todo,
		&d.OutTradeNo, &d.RefundNo, &d.ProviderRef, &d.Method, &d.RecordTID, &d.HereMinor, &d.HereCurrency, &d.HereState,
		&d.ThereMinor, &d.ThereCurrency, &d.ThereState, &d.At, &noTime, &d.Reason}, func() error {
		if noTime {
			d.At = time.Time{}
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// The journal's side of a day, as terminals uploaded it.

// SaleRefund is a refund with the sale it refunds.
type SaleRefund struct {
	Refund
	TID, Store string
	Sale       Order
}

// refundColumns are a refund's and its sale's (o) columns, as
// scanSaleRefunds reads them.
const refundColumns = `r.tid, r.store, r.refund_no, r.amount_minor, r.currency, r.state, r.provider_ref, r.reason,
	r.created_at, r.updated_at, o.tid, o.store, o.out_trade_no, o.provider, o.method, o.mode, o.amount_minor, o.currency,
	o.refunded_minor, o.state, o.provider_ref, o.auth_code_masked, o.reason, o.created_at, o.updated_at`

func scanSaleRefunds(rows pgx.Rows) ([]SaleRefund, error) {
	var out []SaleRefund
	var r SaleRefund
	o := &r.Sale
	_, err := pgx.ForEachRow(rows, []any{&r.TID, &r.Store, &r.RefundNo, &r.AmountMinor, &r.Currency, &r.State,
		&r.ProviderRef, &r.Reason, &r.CreatedAt, &r.UpdatedAt, &o.TID, &o.Store, &o.OutTradeNo, &o.Provider, &o.Method,
		&o.Mode, &o.AmountMinor, &o.Currency, &o.RefundedMinor, &o.State, &o.ProviderRef, &o.AuthCodeMasked, &o.Reason,
		&o.CreatedAt, &o.UpdatedAt}, func() error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// ReconcileJournal is the journal's side of [from, to) for provider at
// terminals tids: the orders created then, and the refunds created then
// of the provider's sales, oldest first.
func (db *DB) ReconcileJournal(ctx context.Context, from, to time.Time, provider string, tids []string) ([]Order, []SaleRefund, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE created_at >= $1 AND created_at < $2 AND provider = $3 AND tid = ANY($4)
		ORDER BY created_at, tid, out_trade_no`, from, to, provider, nonNil(tids))
	if err != nil {
		return nil, nil, err
	}
	orders, err := scanOrders(rows)
	if err != nil {
		return nil, nil, err
	}
	rows, err = db.pool.Query(ctx, `SELECT `+refundColumns+` FROM refunds r
		JOIN orders o ON o.tid = r.tid AND o.out_trade_no = r.out_trade_no
		WHERE r.created_at >= $1 AND r.created_at < $2 AND o.provider = $3 AND r.tid = ANY($4)
		ORDER BY r.created_at, r.tid, r.refund_no`, from, to, provider, nonNil(tids))
	if err != nil {
		return nil, nil, err
	}
	refunds, err := scanSaleRefunds(rows)
	return orders, refunds, err
}

// Named are the numbers and references a provider's records name, to be
// found in the journal whatever day they were made.
type Named struct {
	Sales   []string // sales' numbers
	Refs    []string // sales' provider references
	Refunds []string // refunds' numbers
}

// ReconcileNamed finds what n names among provider's orders and refunds
// at terminals tids.
func (db *DB) ReconcileNamed(ctx context.Context, provider string, tids []string, n Named) ([]Order, []SaleRefund, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE provider = $1 AND tid = ANY($2) AND (out_trade_no = ANY($3) OR (provider_ref <> '' AND provider_ref = ANY($4)))
		ORDER BY created_at, tid, out_trade_no`, provider, nonNil(tids), nonNil(n.Sales), nonNil(n.Refs))
	if err != nil {
		return nil, nil, err
	}
	orders, err := scanOrders(rows)
	if err != nil {
		return nil, nil, err
	}
	rows, err = db.pool.Query(ctx, `SELECT `+refundColumns+` FROM refunds r
		JOIN orders o ON o.tid = r.tid AND o.out_trade_no = r.out_trade_no
		WHERE o.provider = $1 AND r.tid = ANY($2) AND r.refund_no = ANY($3)
		ORDER BY r.created_at, r.tid, r.refund_no`, provider, nonNil(tids), nonNil(n.Refunds))
	if err != nil {
		return nil, nil, err
	}
	refunds, err := scanSaleRefunds(rows)
	return orders, refunds, err
}
