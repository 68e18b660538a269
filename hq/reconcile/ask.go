package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/reconcile"
)

// asked is what a merchant's provider said about a day: its records
// (listed, and answers to queries), and the journal's sales and refunds it
// could not say about, each with its terminal.
type asked struct {
	records   []payments.Record
	unchecked []unchecked
	listed    bool
	queries   int
}

type unchecked struct {
	tid string
	reconcile.Unchecked
}

// query is one sale (refund nil) or refund the provider is asked about.
type query struct {
	sale   store.Order
	refund *store.SaleRefund
}

// result is what one query came to: a record, nothing (the provider has
// no such sale), or why it could not be said.
type result struct {
	record   *payments.Record
	reason   string
	provider bool // reason is the provider's (not the journal's method)
	err      error
}

// errCredential: the provider refused the merchant's credential (key,
// app code, signature): nothing it says today can be had.
var errCredential = errors.New("the provider refused this merchant's credential")

func recordKey(kind payments.RecordKind, no string) string { return string(kind) + "\x00" + no }

// ask gets the provider's records of [from, to): its list when it keeps
// one (payments.DayLister: QFPay's enquiry by time range, paged, through
// the merchant's rate limiter), then a query of each of the journal's
// sales and refunds the list lacks (all of them for a provider without a
// list), workers at a time. An error means the provider could not be
// asked: its list failed, it refused the credential, or no query had an
// answer.
func ask(ctx context.Context, g payments.Gateway, from, to time.Time, orders []store.Order, refunds []store.SaleRefund,
	workers int, log *slog.Logger) (asked, error) {
	var a asked
	have := map[string]bool{}
	if l, ok := g.(payments.DayLister); ok {
		recs, err := l.Records(ctx, from, to)
		if err != nil {
			return a, fmt.Errorf("listing the day's records: %w", err)
		}
		a.listed, a.records = true, recs
		for _, r := range recs {
			have[recordKey(r.Kind, r.OutTradeNo)] = true
		}
	}
	var qs []query
	for _, o := range orders {
		if !have[recordKey(payments.RecordSale, o.OutTradeNo)] {
			qs = append(qs, query{sale: o})
		}
	}
	for i := range refunds {
		if !have[recordKey(payments.RecordRefund, refunds[i].RefundNo)] {
			qs = append(qs, query{sale: refunds[i].Sale, refund: &refunds[i]})
		}
	}
	a.queries = len(qs)
	results := runQueries(ctx, g, qs, workers)
	for _, res := range results {
		if errors.Is(res.err, errCredential) {
			return a, res.err
		}
	}
	if err := ctx.Err(); err != nil {
		return a, err // the run was cut short
	}
	return a, a.take(g.Provider(), qs, results, log)
}

// take adds the queries' results: their records, and the sales and
// refunds the provider could not say about. It fails when none of them
// was answered.
func (a *asked) take(p payments.Provider, qs []query, results []result, log *slog.Logger) error {
	answered, failed := 0, 0
	var first error
	for i, res := range results {
		q := qs[i]
		switch {
		case res.record != nil:
			a.records = append(a.records, *res.record)
			answered++
		case res.reason == "":
			answered++ // the provider has no such sale or refund
		default:
			u := reconcile.Unchecked{Provider: p, OutTradeNo: q.sale.OutTradeNo, Reason: res.reason}
			if q.refund != nil {
				u.RefundNo = q.refund.RefundNo
			}
			a.unchecked = append(a.unchecked, unchecked{tid: q.sale.TID, Unchecked: u})
			if res.provider {
				failed++
				if first == nil {
					first = errors.New(res.reason)
				}
				log.Warn("reconciliation: no word from the provider", "provider", p, "tid", q.sale.TID,
					"out_trade_no", u.OutTradeNo, "refund_no", u.RefundNo, "err", res.reason)
			}
		}
	}
	if failed > 0 && answered == 0 {
		return fmt.Errorf("none of its %d queries was answered: %w", failed, first)
	}
	return nil
}

// runQueries asks every query, workers at a time, and returns the
// results in the order of qs. A refused credential stops the others.
func runQueries(ctx context.Context, g payments.Gateway, qs []query, workers int) []result {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]result, len(qs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(qs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = ask1(ctx, g, qs[i])
				if errors.Is(results[i].err, errCredential) {
					cancel()
				}
			}
		}()
	}
	for i := range qs {
		if ctx.Err() != nil {
			results[i] = result{err: ctx.Err()}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// ask1 asks the provider about one sale or refund.
func ask1(ctx context.Context, g payments.Gateway, q query) result {
	o := orderOf(q.sale)
	m, err := o.Method()
	if err != nil {
		return result{reason: err.Error()}
	}
	req := payments.QueryRequest{OutTradeNo: o.OutTradeNo, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef}
	if q.refund != nil {
		req.RefundNo = q.refund.RefundNo
	}
	res, err := g.Query(ctx, req)
	switch {
	case err == nil:
		r := payments.RecordOf(g.Provider(), req, res)
		return result{record: &r}
	case payments.IsKind(err, payments.KindNotFound):
		return result{}
	case payments.IsKind(err, payments.KindAuth) || payments.IsKind(err, payments.KindBadSignature):
		return result{err: fmt.Errorf("%w: %v", errCredential, err)}
	case ctx.Err() != nil:
		return result{err: ctx.Err()}
	}
	return result{reason: err.Error(), provider: true}
}
