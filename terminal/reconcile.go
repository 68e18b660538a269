package terminal

// Reconciliation against the providers: one Hong Kong day of the journal
// (the terminal's sales and refunds) beside each provider's own records,
// compared by payments/reconcile. A provider that lists its records
// (payments.DayLister: QFPay's enquiry by time range) is asked for the
// day's list, and then one by one for the journal's sales and refunds the
// list lacks (made just before midnight, say); one that does not (eftPay)
// is asked about each of the journal's sales and refunds of the day. It
// changes nothing: a manager may take a sale the provider holds and the
// journal lacks into the journal (TakeIn), on the provider's word asked
// again at that moment.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/reconcile"
	"qrpos/storage"
)

// Difference is one disagreement between the journal and a provider
// (payments/reconcile): the faces render it.
type Difference = reconcile.Difference

// DifferenceKinds lists every kind of difference, for the faces' words.
func DifferenceKinds() []reconcile.Kind { return reconcile.Kinds() }

// ProviderCheck is how one provider was asked about the day.
type ProviderCheck struct {
	Provider payments.Provider
	Listed   bool // it listed its records of the day; otherwise each sale and refund was queried
	Records  int  // records it gave
	Queries  int  // sales and refunds asked about one by one
	// Err: the provider could not be asked (no answer, a refusal, not
	// configured): none of its sales was compared.
	Err string
}

// Reconciliation is one day's comparison of the journal with the providers.
type Reconciliation struct {
	TID       string
	Day       string    // yyyy-mm-dd, Hong Kong time
	From, To  time.Time // the day's span
	Providers []ProviderCheck
	Sales     int // the journal's sales of the day compared
	Refunds   int // and refunds
	// Differences, this terminal's first (see reconcile.Compare).
	Differences []Difference
	At          time.Time
}

// Clean reports whether the day needs nobody: no difference of this
// terminal's and every provider asked. Records of other terminals (listed
// among the differences) do not make a day unclean.
func (r Reconciliation) Clean() bool {
	for _, p := range r.Providers {
		if p.Err != "" {
			return false
		}
	}
	return r.Ours() == 0
}

// Ours counts the differences that are this terminal's to settle.
func (r Reconciliation) Ours() int {
	n := 0
	for _, d := range r.Differences {
		if d.Ours() {
			n++
		}
	}
	return n
}

// hongKong is the providers' time zone, where a day of the journal begins
// and ends (time/tzdata is embedded by the programs; fixed UTC+8 without
// it, which is what Hong Kong has kept since 1979).
var hongKong = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Hong_Kong"); err == nil {
		return l
	}
	return time.FixedZone("HKT", 8*3600)
}()

// ReconcileDay compares the journal's sales and refunds of the Hong Kong
// day whose date day has (its year, month and day as the caller reads
// them) with the records of the providers in force.
func (t *Terminal) ReconcileDay(ctx context.Context, day time.Time) (Reconciliation, error) {
	t.mu.Lock()
	gws, p := t.cur.gateways, t.cur.profile
	t.mu.Unlock()
	return reconcileDay(ctx, t.journal, p, gws, day, t.log)
}

// ReconcileJournal is ReconcileDay for a face that opened the journal
// itself (read-only while a terminal runs: it writes nothing), with the
// gateways of profile p.
func ReconcileJournal(ctx context.Context, j *storage.Journal, p checkout.Profile, day time.Time, log *slog.Logger) (Reconciliation, error) {
	gws, err := gateways(p, log)
	if err != nil {
		return Reconciliation{}, err
	}
	return reconcileDay(ctx, j, p, gws, day, log)
}

func reconcileDay(ctx context.Context, j *storage.Journal, p checkout.Profile, gws []payments.Gateway, day time.Time, log *slog.Logger) (Reconciliation, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, hongKong)
	r := Reconciliation{TID: p.TID, Day: from.Format("2006-01-02"), From: from, To: from.AddDate(0, 0, 1), At: time.Now()}
	orders, err := j.Orders(ctx, storage.Filter{TID: p.TID, From: r.From, To: r.To})
	if err != nil {
		return r, err
	}
	refunds, err := j.RefundsCreatedBetween(ctx, p.TID, r.From, r.To)
	if err != nil {
		return r, err
	}
	in := reconcile.Input{TID: p.TID}
	byProvider := map[payments.Provider]*providerDay{}
	for _, g := range gws {
		byProvider[g.Provider()] = &providerDay{g: g, j: j, tid: p.TID, from: r.From, to: r.To, log: log}
	}
	if err := sortByProvider(ctx, j, orders, refunds, byProvider, &r); err != nil {
		return r, err
	}
	for _, g := range gws {
		pd := byProvider[g.Provider()]
		check, part := pd.ask(ctx)
		r.Providers = append(r.Providers, check)
		if check.Err != "" {
			continue
		}
		r.Sales += len(pd.orders)
		r.Refunds += len(pd.refunds)
		part.mergeInto(&in)
	}
	if err := ctx.Err(); err != nil {
		return r, err // the providers' words were cut short: nothing concluded
	}
	r.Differences = reconcile.Compare(in)
	return r, nil
}

// sortByProvider hands each of the day's sales and refunds to its
// provider's day; a provider without a gateway is reported unchecked.
func sortByProvider(ctx context.Context, j *storage.Journal, orders []payments.Order, refunds []payments.Refund,
	days map[payments.Provider]*providerDay, r *Reconciliation) error {
	missing := map[payments.Provider]bool{}
	for _, o := range orders {
		if pd := days[o.Provider]; pd != nil {
			pd.orders = append(pd.orders, o)
		} else {
			missing[o.Provider] = true
		}
	}
	for _, rf := range refunds {
		sale, err := j.Order(ctx, rf.OutTradeNo)
		if err != nil {
			return err
		}
		if pd := days[sale.Provider]; pd != nil {
			pd.refunds = append(pd.refunds, reconcile.Refund{Refund: rf, Provider: sale.Provider})
			pd.saleOf(sale)
		} else {
			missing[sale.Provider] = true
		}
	}
	for prov := range missing {
		r.Providers = append(r.Providers, ProviderCheck{Provider: prov,
			Err: "not configured in this terminal's profile: its sales and refunds of the day were not compared"})
	}
	return nil
}

// TakeInRefused is a sale the provider's word, asked again, does not let
// a manager take into the journal: Reason says why.
type TakeInRefused struct {
	OutTradeNo string
	Reason     string
}

func (e *TakeInRefused) Error() string {
	return fmt.Sprintf("take in %s: %s", e.OutTradeNo, e.Reason)
}

// TakeIn takes a sale the provider holds and the journal lacks (a
// difference of kind missing_here) into the journal, for the manager
// (whose PIN the face has checked), audited. The provider is asked about
// the sale again first, and only its verified answer moves money: the
// sale must be paid now, about this number, of this terminal; the order is
// journalled paid with the provider's reference, amount and method, at
// the provider's time. Anything else is a *TakeInRefused.
func (t *Terminal) TakeIn(ctx context.Context, d Difference) (payments.Order, error) {
	if !d.CanTakeIn() {
		return payments.Order{}, &TakeInRefused{OutTradeNo: d.OutTradeNo, Reason: fmt.Sprintf("a %s difference is not taken in", d.Kind)}
	}
	a, err := t.verifyTakeIn(ctx, d)
	if err != nil {
		t.Audit(ctx, "manager", "reconcile_take_in_refused", d.OutTradeNo+": "+err.Error())
		return payments.Order{}, err
	}
	o, err := t.journal.AdoptOrder(ctx, a)
	if errors.Is(err, storage.ErrNumberTaken) {
		err = &TakeInRefused{OutTradeNo: d.OutTradeNo, Reason: "the journal already holds this number"}
	}
	if err != nil {
		t.Audit(ctx, "manager", "reconcile_take_in_refused", d.OutTradeNo+": "+err.Error())
		return payments.Order{}, err
	}
	t.log.Info("sale taken in from the provider's records", "out_trade_no", o.OutTradeNo, "provider", o.Provider, "ref", o.ProviderRef)
	return o, nil
}

// verifyTakeIn asks d's provider about the sale again and makes the order
// its answer describes.
func (t *Terminal) verifyTakeIn(ctx context.Context, d Difference) (storage.AdoptedOrder, error) {
	t.mu.Lock()
	gws, p := t.cur.gateways, t.cur.profile
	t.mu.Unlock()
	var g payments.Gateway
	for _, gw := range gws {
		if gw.Provider() == d.Provider {
			g = gw
		}
	}
	refuse := func(format string, args ...any) (storage.AdoptedOrder, error) {
		return storage.AdoptedOrder{}, &TakeInRefused{OutTradeNo: d.OutTradeNo, Reason: fmt.Sprintf(format, args...)}
	}
	if g == nil {
		return refuse("%s is not configured in this terminal's profile", d.Provider)
	}
	m, err := payments.LookupMethod(d.Provider, d.MethodCode)
	if err != nil {
		return refuse("%v", err)
	}
	res, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: d.OutTradeNo, Method: m, Amount: d.There, ProviderRef: d.ProviderRef})
	if err != nil {
		return storage.AdoptedOrder{}, fmt.Errorf("take in %s: asking %s: %w", d.OutTradeNo, d.Provider.Title(), err)
	}
	rec := payments.RecordOf(d.Provider, payments.QueryRequest{OutTradeNo: d.OutTradeNo}, res)
	switch {
	case res.State != payments.Paid:
		return refuse("%s says the sale is %s now, not paid", d.Provider.Title(), res.State)
	case rec.OutTradeNo != d.OutTradeNo:
		return refuse("%s's record is about %s", d.Provider.Title(), rec.OutTradeNo)
	case !reconcile.Ours(p.TID, rec):
		return refuse("%s's record is terminal %s's", d.Provider.Title(), rec.TID)
	case res.Amount.Minor <= 0 || !res.Amount.Currency.Valid():
		return refuse("%s's record gives no amount this terminal takes (%s)", d.Provider.Title(), reconcile.Amount(res.Amount))
	}
	if rec.MethodCode != "" {
		if m, err = payments.LookupMethod(d.Provider, rec.MethodCode); err != nil {
			return refuse("%v", err)
		}
	}
	ref := nonEmpty(res.ProviderRef, d.ProviderRef)
	detail := fmt.Sprintf("taken in from %s's records at reconciliation: %s %s, ref %s", d.Provider.Title(), m.Name, res.Amount, ref)
	return storage.AdoptedOrder{OutTradeNo: d.OutTradeNo, TID: p.TID, Provider: d.Provider, MethodCode: m.Code, Amount: res.Amount,
		ProviderRef: ref, PaidAt: d.At, CashAmount: res.CashAmount, ExchangeRate: res.ExchangeRate, Detail: detail,
		Audit: storage.AuditEntry{TID: p.TID, Actor: "manager", Action: "reconcile_take_in", Detail: d.OutTradeNo + ": " + detail}}, nil
}
