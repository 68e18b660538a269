package terminal

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"qrpos/payments"
	"qrpos/payments/reconcile"
	"qrpos/storage"
)

// providerDay is one provider's part of a day's reconciliation: the
// journal's sales and refunds of the day that went to it, and how to ask
// it about them.
type providerDay struct {
	g        payments.Gateway
	j        *storage.Journal
	tid      string
	from, to time.Time
	log      *slog.Logger
	orders   []payments.Order
	refunds  []reconcile.Refund
	sales    map[string]payments.Order // the refunds' sales, by number
}

func (pd *providerDay) saleOf(o payments.Order) {
	if pd.sales == nil {
		pd.sales = map[string]payments.Order{}
	}
	pd.sales[o.OutTradeNo] = o
}

// part is what one provider adds to the comparison.
type part struct {
	orders       []payments.Order
	refunds      []reconcile.Refund
	records      []payments.Record
	named        []payments.Order
	namedRefunds []reconcile.Refund
	unchecked    []reconcile.Unchecked
}

func (p part) mergeInto(in *reconcile.Input) {
	in.Orders = append(in.Orders, p.orders...)
	in.Refunds = append(in.Refunds, p.refunds...)
	in.Records = append(in.Records, p.records...)
	in.Named = append(in.Named, p.named...)
	in.NamedRefunds = append(in.NamedRefunds, p.namedRefunds...)
	in.Unchecked = append(in.Unchecked, p.unchecked...)
}

func recordKey(kind payments.RecordKind, no string) string { return string(kind) + "\x00" + no }

// ask gets the provider's records of the day: its list when it keeps one,
// then one query for each journalled sale and refund the list lacks (all
// of them for a provider without a list); and the journal's other sales
// and refunds the records name. A provider that cannot be asked at all
// comes back with Err and nothing to compare.
func (pd *providerDay) ask(ctx context.Context) (ProviderCheck, part) {
	c := ProviderCheck{Provider: pd.g.Provider()}
	pt := part{orders: pd.orders, refunds: pd.refunds}
	have := map[string]bool{}
	if l, ok := pd.g.(payments.DayLister); ok {
		recs, err := l.Records(ctx, pd.from, pd.to)
		if err != nil {
			c.Err = err.Error()
			return c, part{}
		}
		c.Listed, pt.records = true, recs
		for _, r := range recs {
			have[recordKey(r.Kind, r.OutTradeNo)] = true
		}
	}
	for _, o := range pd.orders {
		if !have[recordKey(payments.RecordSale, o.OutTradeNo)] {
			c.Queries++
			pd.query(ctx, o, payments.Refund{}, &pt)
		}
	}
	for _, rf := range pd.refunds {
		if !have[recordKey(payments.RecordRefund, rf.RefundNo)] {
			c.Queries++
			pd.query(ctx, pd.sales[rf.OutTradeNo], rf.Refund, &pt)
		}
	}
	if err := pd.name(ctx, &pt); err != nil {
		c.Err = err.Error()
		return c, part{}
	}
	c.Records = len(pt.records)
	return c, pt
}

// query asks the provider about sale o, or its refund rf when rf is set:
// its record, nothing when the provider has none, or unchecked.
func (pd *providerDay) query(ctx context.Context, o payments.Order, rf payments.Refund, pt *part) {
	u := reconcile.Unchecked{Provider: pd.g.Provider(), OutTradeNo: o.OutTradeNo, RefundNo: rf.RefundNo}
	m, err := o.Method()
	if err != nil {
		u.Reason = err.Error()
		pt.unchecked = append(pt.unchecked, u)
		return
	}
	q := payments.QueryRequest{OutTradeNo: o.OutTradeNo, RefundNo: rf.RefundNo, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef}
	res, err := pd.g.Query(ctx, q)
	switch {
	case err == nil:
		pt.records = append(pt.records, payments.RecordOf(pd.g.Provider(), q, res))
	case payments.IsKind(err, payments.KindNotFound):
		// The provider has no such sale or refund.
	default:
		pd.log.Warn("reconciliation: no word from the provider", "provider", pd.g.Provider(), "out_trade_no", o.OutTradeNo,
			"refund_no", rf.RefundNo, "err", err)
		u.Reason = err.Error()
		pt.unchecked = append(pt.unchecked, u)
	}
}

// name finds the journal's sales and refunds of other days that this
// terminal's records of the day name: a refund today of an older sale, a
// sale journalled just before midnight.
func (pd *providerDay) name(ctx context.Context, pt *part) error {
	known := map[string]bool{}
	for _, o := range pd.orders {
		known[recordKey(payments.RecordSale, o.OutTradeNo)] = true
	}
	for _, rf := range pd.refunds {
		known[recordKey(payments.RecordRefund, rf.RefundNo)] = true
	}
	for _, r := range pt.records {
		key := recordKey(r.Kind, r.OutTradeNo)
		if known[key] || !reconcile.Ours(pd.tid, r) {
			continue
		}
		known[key] = true
		var err error
		if r.Kind == payments.RecordRefund {
			err = pd.nameRefund(ctx, r, pt)
		} else {
			err = pd.nameSale(ctx, r.OutTradeNo, pt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (pd *providerDay) nameSale(ctx context.Context, no string, pt *part) error {
	o, err := pd.j.Order(ctx, no)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	case o.TID == pd.tid && o.Provider == pd.g.Provider():
		pt.named = append(pt.named, o)
	}
	return nil
}

// nameRefund finds a refund record's refund in the journal and, when the
// record names it, its sale (by number, or by the provider's reference).
func (pd *providerDay) nameRefund(ctx context.Context, r payments.Record, pt *part) error {
	rf, err := pd.j.Refund(ctx, r.OutTradeNo)
	switch {
	case err == nil:
		pt.namedRefunds = append(pt.namedRefunds, reconcile.Refund{Refund: rf, Provider: pd.g.Provider()})
		return pd.nameSale(ctx, rf.OutTradeNo, pt)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	case r.OriginalOrder != "":
		return pd.nameSale(ctx, r.OriginalOrder, pt)
	case r.OriginalRef == "":
		return nil
	}
	found, err := pd.j.Orders(ctx, storage.Filter{TID: pd.tid, Search: r.OriginalRef, Limit: 10})
	for _, o := range found {
		if o.ProviderRef == r.OriginalRef && o.Provider == pd.g.Provider() {
			pt.named = append(pt.named, o)
		}
	}
	return err
}
