package reconcile

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"qrpos/hq/merchants"
	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/reconcile"
)

// merchantDay is one merchant's part of a run: the terminals it serves
// and the day.
type merchantDay struct {
	r        *Runner
	m        merchants.Merchant
	from, to time.Time
	served   map[string]store.Terminal // by fold(tid)
	enrolled map[string]store.Terminal // every enrolled terminal, by fold(tid)
}

func (md *merchantDay) tids() []string {
	out := make([]string, 0, len(md.served))
	for _, t := range md.served {
		out = append(out, t.TID)
	}
	sort.Strings(out)
	return out
}

func (md *merchantDay) stores() []string {
	var out []string
	for _, t := range md.served {
		if !slices.Contains(out, t.Store) {
			out = append(out, t.Store)
		}
	}
	sort.Strings(out)
	return out
}

// reconcile compares the day's sales and refunds of the terminals the
// merchant serves with its provider's records. A provider that cannot be
// asked is the merchant's error, not the run's; an error returned is the
// run's (the database failed, the run was cut short).
func (md *merchantDay) reconcile(ctx context.Context) (store.ReconcileMerchant, []store.Difference, error) {
	st := store.ReconcileMerchant{Merchant: md.m.Name, Provider: string(md.m.Provider), Stores: md.stores(), Terminals: len(md.served)}
	g, err := md.gateway()
	if err != nil {
		st.Error = err.Error()
		return st, nil, nil
	}
	orders, refunds, err := md.r.DB.ReconcileJournal(ctx, md.from, md.to, string(md.m.Provider), md.tids())
	if err != nil {
		return st, nil, err
	}
	a, err := ask(ctx, g, md.from, md.to, orders, refunds, md.r.workers(), md.r.log())
	st.Records, st.Queries = len(a.records), a.queries
	if err != nil {
		if ctx.Err() != nil {
			return st, nil, ctx.Err()
		}
		st.Error = fmt.Sprintf("%s could not be asked: %v", payments.Provider(md.m.Provider).Title(), err)
		return st, nil, nil
	}
	ds, err := md.compare(ctx, orders, refunds, a)
	return st, ds, err
}

// gateway is the merchant's gateway, to ask its provider with.
func (md *merchantDay) gateway() (payments.Gateway, error) {
	info, ok := payments.LookupProvider(md.m.Provider)
	if !ok {
		return nil, fmt.Errorf("provider %q is not known", md.m.Provider)
	}
	return info.NewGateway(md.m.Settings, payments.GatewayEnv{Logger: md.r.log().With("merchant", md.m.Name), Timeout: md.r.Timeout})
}

// compare hands each record to the terminal it is about and compares
// each terminal's day with its records (payments/reconcile); a record no
// served terminal claims is a difference of its own.
func (md *merchantDay) compare(ctx context.Context, orders []store.Order, refunds []store.SaleRefund, a asked) ([]store.Difference, error) {
	b := newBooks()
	for _, o := range orders {
		b.order(o, false)
	}
	for _, r := range refunds {
		b.refund(r, false)
	}
	if err := md.named(ctx, b, a.records); err != nil {
		return nil, err
	}
	for _, u := range a.unchecked {
		in := b.terminal(u.tid, md.served[fold(u.tid)].Store)
		in.Unchecked = append(in.Unchecked, u.Unchecked)
	}
	var out []store.Difference
	for _, r := range a.records {
		if tid := md.claim(b, r); tid != "" {
			in := b.terminal(tid, md.served[fold(tid)].Store)
			in.Records = append(in.Records, r)
			continue
		}
		if r.MoneyMoved() {
			t := md.enrolled[fold(r.TID)]
			out = append(out, stored(md.m.Name, t.TID, t.Store, unknownTerminal(r)))
		}
	}
	for _, tid := range b.seen {
		td := b.days[tid]
		for _, d := range reconcile.Compare(td.in) {
			out = append(out, stored(md.m.Name, tid, td.store, d))
		}
	}
	return out, nil
}

// claim is the served terminal record r is about: the one whose journal
// holds its number (a refund's: its own, else its sale's), else the one
// it names; "" when none.
func (md *merchantDay) claim(b *books, r payments.Record) string {
	if r.Kind == payments.RecordRefund {
		for _, tid := range []string{b.refunds[r.OutTradeNo], b.sales[r.OriginalOrder], b.refs[r.OriginalRef]} {
			if tid != "" {
				return tid
			}
		}
	} else if tid := b.sales[r.OutTradeNo]; tid != "" {
		return tid
	}
	if r.TID == "" {
		return ""
	}
	return md.served[fold(r.TID)].TID
}

// named finds in the journal, whatever day they were made, the sales and
// refunds of the served terminals that records name and the day's lacks:
// a refund today of last week's sale, a sale journalled just before
// midnight that the provider recorded after it.
func (md *merchantDay) named(ctx context.Context, b *books, recs []payments.Record) error {
	var n store.Named
	for _, r := range recs {
		switch {
		case r.Kind != payments.RecordRefund:
			if b.sales[r.OutTradeNo] == "" {
				n.Sales = append(n.Sales, r.OutTradeNo)
			}
		default:
			if b.refunds[r.OutTradeNo] == "" {
				n.Refunds = append(n.Refunds, r.OutTradeNo)
			}
			if r.OriginalOrder != "" && b.sales[r.OriginalOrder] == "" {
				n.Sales = append(n.Sales, r.OriginalOrder)
			}
			if r.OriginalRef != "" && b.refs[r.OriginalRef] == "" {
				n.Refs = append(n.Refs, r.OriginalRef)
			}
		}
	}
	if len(n.Sales)+len(n.Refs)+len(n.Refunds) == 0 {
		return nil
	}
	orders, refunds, err := md.r.DB.ReconcileNamed(ctx, string(md.m.Provider), md.tids(), n)
	for _, o := range orders {
		b.order(o, true)
	}
	for _, r := range refunds {
		b.refund(r, true)
	}
	return err
}

// books are the journal's sales and refunds of one merchant's run, by
// terminal, and who holds which number.
type books struct {
	days    map[string]*terminalDay
	seen    []string          // the terminals, in the order they came
	sales   map[string]string // sale number -> tid
	refs    map[string]string // sale's provider reference -> tid
	refunds map[string]string // refund number -> tid
}

// terminalDay is one terminal's comparison.
type terminalDay struct {
	store string
	in    reconcile.Input
}

func newBooks() *books {
	return &books{days: map[string]*terminalDay{}, sales: map[string]string{}, refs: map[string]string{}, refunds: map[string]string{}}
}

// terminal is terminal tid's input, made on first use.
func (b *books) terminal(tid, shop string) *reconcile.Input {
	td, ok := b.days[tid]
	if !ok {
		td = &terminalDay{store: shop, in: reconcile.Input{TID: tid}}
		b.days[tid] = td
		b.seen = append(b.seen, tid)
	}
	return &td.in
}

// order takes a sale of the day (named: of another day a record names).
func (b *books) order(o store.Order, named bool) {
	if b.sales[o.OutTradeNo] != "" {
		return
	}
	b.sales[o.OutTradeNo] = o.TID
	if o.ProviderRef != "" {
		b.refs[o.ProviderRef] = o.TID
	}
	in := b.terminal(o.TID, o.Store)
	if named {
		in.Named = append(in.Named, orderOf(o))
	} else {
		in.Orders = append(in.Orders, orderOf(o))
	}
}

// refund takes a refund of the day (named: of another day a record
// names).
func (b *books) refund(r store.SaleRefund, named bool) {
	if b.refunds[r.RefundNo] != "" {
		return
	}
	b.refunds[r.RefundNo] = r.TID
	in := b.terminal(r.TID, r.Store)
	if named {
		in.NamedRefunds = append(in.NamedRefunds, refundOf(r))
	} else {
		in.Refunds = append(in.Refunds, refundOf(r))
	}
}
