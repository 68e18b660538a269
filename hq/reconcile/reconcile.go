// Package reconcile is head office's reconciliation with the providers:
// for one day of the chain, for every merchant credential of the merchants
// file (qrpos/hq/merchants), the sales and refunds the terminals it serves
// uploaded, laid beside the provider's own records. A QFPay merchant's
// records of the day are listed once (QFPay's enquiry by time range
// covers every counter of the merchant), an eftPay merchant's are had by
// querying each sale and refund head office holds; the records are handed
// to terminals by the number the journal holds, else by the tid (udid)
// they name, and each terminal's day is compared by payments/reconcile. A
// record of no terminal the merchant serves is a difference of its own
// (UnknownTerminal).
//
// Each run and its differences are kept in PostgreSQL (qrpos/hq/store); a
// later run of the day replaces the earlier one's differences. The
// nightly run (Nightly) reconciles yesterday once a day, once across any
// number of head-office processes. It fixes nothing: what to do is a
// person's decision.
//
// It imports qrpos/hq/store, qrpos/hq/merchants, qrpos/payments (and the
// registered providers, through qrpos/hq/merchants), qrpos/payments/reconcile
// and the standard library; it must not import pgx, net/http, fyne or the
// terminal's packages (qrpos/terminal, qrpos/storage, qrpos/payments/checkout).
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"qrpos/hq/merchants"
	"qrpos/hq/store"
)

// DefaultQueries is how many queries of one merchant are under way at
// once (QFPay's go through its rate limiter as well).
const DefaultQueries = 4

// Runner runs reconciliations.
type Runner struct {
	DB        *store.DB
	Merchants []merchants.Merchant
	// Location is where the chain's days begin and end (nil: time.Local).
	Location *time.Location
	Log      *slog.Logger     // nil: slog.Default()
	Now      func() time.Time // nil: time.Now
	// Timeout bounds one call to a provider (0: the provider's default);
	// Queries is how many queries of a merchant run at once (0:
	// DefaultQueries).
	Timeout time.Duration
	Queries int
	// Context bounds the runs Start begins in the background (the
	// server's life; nil: they run to their end).
	Context context.Context

	wg sync.WaitGroup
}

// Result is a finished run: as kept, with its merchants, and its
// differences by store, terminal and time.
type Result struct {
	Run         store.ReconcileRun
	Differences []store.Difference
}

// Clean reports whether the day needs nobody: every merchant asked and no
// difference.
func (r Result) Clean() bool {
	for _, m := range r.Run.Merchants {
		if m.Error != "" {
			return false
		}
	}
	return r.Run.Error == "" && len(r.Differences) == 0
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Runner) loc() *time.Location {
	if r.Location == nil {
		return time.Local
	}
	return r.Location
}

func (r *Runner) workers() int {
	if r.Queries <= 0 {
		return DefaultQueries
	}
	return r.Queries
}

// Day checks day (YYYY-MM-DD) and returns its span in the chain's zone.
func (r *Runner) Day(day string) (from, to time.Time, err error) {
	from, err = time.ParseInLocation(time.DateOnly, day, r.loc())
	if err != nil || from.Year() < 2000 || from.Year() > 2200 {
		return from, to, fmt.Errorf("reconcile: day %q: want YYYY-MM-DD between 2000 and 2200", day)
	}
	return from, from.AddDate(0, 0, 1), nil
}

// Yesterday is the chain's day before the one at now.
func (r *Runner) Yesterday(now time.Time) string {
	n := now.In(r.loc())
	return time.Date(n.Year(), n.Month(), n.Day()-1, 12, 0, 0, 0, r.loc()).Format(time.DateOnly)
}

// Run reconciles day (YYYY-MM-DD) now, for by (a person, "command line"),
// and returns the finished run. It refuses while another run of the day
// is under way (*store.RunInProgressError).
func (r *Runner) Run(ctx context.Context, day, by string) (Result, error) {
	run, err := r.begin(ctx, day, by, false)
	if err != nil {
		return Result{}, err
	}
	return r.finish(ctx, run)
}

// Start begins a run of day for by in the background (bounded by
// Context) and returns it as begun; Wait waits for it. It refuses as Run
// does.
func (r *Runner) Start(day, by string) (store.ReconcileRun, error) {
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	run, err := r.begin(ctx, day, by, false)
	if err != nil {
		return run, err
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if _, err := r.finish(ctx, run); err != nil {
			r.log().Error("reconciliation failed", "day", day, "run", run.ID, "by", by, "err", err)
		}
	}()
	return run, nil
}

// Wait waits for the runs Start began.
func (r *Runner) Wait() { r.wg.Wait() }

// begin checks day and records the run's start.
func (r *Runner) begin(ctx context.Context, day, by string, nightly bool) (store.ReconcileRun, error) {
	if _, _, err := r.Day(day); err != nil {
		return store.ReconcileRun{}, err
	}
	if len(r.Merchants) == 0 {
		return store.ReconcileRun{}, errors.New("reconcile: no merchant to ask: give head office the merchants file (--merchants)")
	}
	return r.DB.StartReconcileRun(ctx, day, by, nightly, r.now())
}

// finish does run's work and records how it went. A run cut short (ctx)
// or whose database failed is recorded as failed and replaces nothing.
func (r *Runner) finish(ctx context.Context, run store.ReconcileRun) (Result, error) {
	ms, ds, err := r.work(ctx, run.Day)
	runErr := ""
	if err != nil {
		runErr = err.Error()
	}
	sort.SliceStable(ds, func(i, k int) bool { return less(ds[i], ds[k]) })
	if ferr := r.DB.FinishReconcileRun(context.WithoutCancel(ctx), run, ms, ds, runErr, r.now()); ferr != nil {
		return Result{}, errors.Join(err, ferr)
	}
	if err != nil {
		return Result{}, fmt.Errorf("reconcile %s: %w", run.Day, err)
	}
	runs, err := r.DB.ReconcileRuns(ctx, run.Day)
	for _, x := range runs {
		if x.ID == run.ID {
			run = x
		}
	}
	n := 0
	for _, m := range run.Merchants {
		if m.Error != "" {
			n++
			r.log().Warn("reconciliation: merchant not asked", "day", run.Day, "merchant", m.Merchant, "err", m.Error)
		}
	}
	r.log().Info("reconciliation done", "day", run.Day, "run", run.ID, "by", run.By, "differences", len(ds), "merchants_not_asked", n)
	return Result{Run: run, Differences: ds}, err
}

// work reconciles every merchant in turn.
func (r *Runner) work(ctx context.Context, day string) ([]store.ReconcileMerchant, []store.Difference, error) {
	from, to, err := r.Day(day)
	if err != nil {
		return nil, nil, err
	}
	terms, err := r.DB.Terminals(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	enrolled := map[string]store.Terminal{}
	for _, t := range terms {
		enrolled[fold(t.TID)] = t
	}
	var ms []store.ReconcileMerchant
	var ds []store.Difference
	for _, m := range r.Merchants {
		md := &merchantDay{r: r, m: m, from: from, to: to, served: map[string]store.Terminal{}, enrolled: enrolled}
		for _, t := range terms {
			if s, ok := merchants.Serving(r.Merchants, m.Provider, t.TID, t.Store); ok && s.Name == m.Name {
				md.served[fold(t.TID)] = t
			}
		}
		st, found, err := md.reconcile(ctx)
		if err != nil {
			return ms, nil, fmt.Errorf("merchant %s: %w", m.Name, err)
		}
		ms, ds = append(ms, st), append(ds, found...)
	}
	return ms, ds, nil
}

// less orders differences by store, terminal, time and number.
func less(a, b store.Difference) bool {
	if a.Store != b.Store {
		return a.Store < b.Store
	}
	if a.TID != b.TID {
		return a.TID < b.TID
	}
	if !a.At.Equal(b.At) {
		return !a.At.IsZero() && (b.At.IsZero() || a.At.Before(b.At)) // a time not known last
	}
	if a.OutTradeNo != b.OutTradeNo {
		return a.OutTradeNo < b.OutTradeNo
	}
	return a.RefundNo < b.RefundNo
}
