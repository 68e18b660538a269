// Package reconcile compares one day of a terminal's journal with its
// providers' own records, sale by sale and refund by refund, and lists every
// difference with what to do about it. It fixes nothing: taking a sale into
// the journal, refunding or asking the provider is a person's decision,
// made through the core (qrpos/terminal).
//
// It takes plain values (the journal's orders and refunds, the providers'
// payments.Record) and gives plain values back. It imports payments and the
// standard library only: never the journal, a gateway, the network or
// Fyne, so that every face and head office can use it.
package reconcile

import (
	"sort"
	"strings"

	"qrpos/payments"
)

// Refund is a journalled refund with the provider of its sale.
type Refund struct {
	payments.Refund
	Provider payments.Provider
}

// Unchecked is a journalled sale or refund its provider could not be asked
// about (no answer, an answer that does not verify).
type Unchecked struct {
	Provider   payments.Provider
	OutTradeNo string // the sale's number
	RefundNo   string // set for a refund
	Reason     string
}

// Input is one day of one terminal: what the journal says and what the
// providers say.
type Input struct {
	TID string
	// Orders are the journal's sales of the day: each is compared with its
	// record, and a paid one without a record was not paid at the
	// provider.
	Orders []payments.Order
	// Refunds are the journal's refunds of the day, the same way.
	Refunds []Refund
	// Named are the journal's sales of other days that a record of the day
	// names (a refund today of last week's sale, a sale journalled just
	// before midnight), and NamedRefunds the refunds: each is compared
	// with the record that names it, and nothing is concluded from one
	// that no record names.
	Named        []payments.Order
	NamedRefunds []Refund
	// Records are the providers' records: every one of the day for a
	// provider that lists them, and the answers to the queries of the
	// journal's sales and refunds (RecordOf) for one that does not.
	Records []payments.Record
	// Unchecked are the sales and refunds no record could be had for:
	// they are not taken as missing at the provider.
	Unchecked []Unchecked
}

// Ours reports whether a record is this terminal's: it names tid, or no
// terminal at all.
func Ours(tid string, r payments.Record) bool {
	return r.TID == "" || tid == "" || strings.EqualFold(r.TID, tid)
}

// Compare lists every difference between the journal and the records of
// in, this terminal's first and then by time. A day on which both agree
// gives none.
func Compare(in Input) []Difference {
	m := newMatcher(in)
	for _, r := range strongest(in.Records) {
		if r.Kind == payments.RecordRefund {
			m.refund(r)
		} else {
			m.sale(r)
		}
	}
	m.leftHere()
	for _, u := range in.Unchecked {
		d := Difference{Kind: NotChecked, Provider: u.Provider, OutTradeNo: u.OutTradeNo, RefundNo: u.RefundNo, Reason: u.Reason}
		if o, ok := m.orders[u.OutTradeNo]; ok {
			d.Here, d.HereState, d.MethodCode, d.At = o.Amount, string(o.State), o.MethodCode, o.CreatedAt
		}
		m.out = append(m.out, d)
	}
	sortDifferences(m.out)
	return m.out
}

// matcher holds one comparison's indexes and what it found.
type matcher struct {
	tid         string
	orders      map[string]payments.Order
	refunds     map[string]Refund
	unchecked   map[string]bool
	saleOf      map[string]string // provider reference -> sale number
	seenOrders  map[string]bool
	seenRefunds map[string]bool
	in          Input
	out         []Difference
}

func newMatcher(in Input) *matcher {
	m := &matcher{tid: in.TID, in: in, orders: map[string]payments.Order{}, refunds: map[string]Refund{},
		unchecked: map[string]bool{}, saleOf: map[string]string{}, seenOrders: map[string]bool{}, seenRefunds: map[string]bool{}}
	for _, o := range append(append([]payments.Order{}, in.Named...), in.Orders...) {
		m.orders[o.OutTradeNo] = o
		if o.ProviderRef != "" {
			m.saleOf[o.ProviderRef] = o.OutTradeNo
		}
	}
	for _, r := range append(append([]Refund{}, in.NamedRefunds...), in.Refunds...) {
		m.refunds[r.RefundNo] = r
	}
	for _, u := range in.Unchecked {
		m.unchecked[u.OutTradeNo+"\x00"+u.RefundNo] = true
	}
	for _, r := range in.Records {
		if r.Kind != payments.RecordRefund && r.ProviderRef != "" {
			m.saleOf[r.ProviderRef] = r.OutTradeNo
		}
	}
	return m
}

// strongest keeps one record per provider, kind and number: the one that
// says money moved, else the last given.
func strongest(records []payments.Record) []payments.Record {
	at := map[string]int{}
	var out []payments.Record
	for _, r := range records {
		key := string(r.Provider) + "\x00" + string(r.Kind) + "\x00" + r.OutTradeNo
		i, dup := at[key]
		switch {
		case !dup:
			at[key] = len(out)
			out = append(out, r)
		case r.MoneyMoved() || !out[i].MoneyMoved():
			out[i] = r
		}
	}
	return out
}

// sale compares one sale record with the journal.
func (m *matcher) sale(r payments.Record) {
	d := Difference{Provider: r.Provider, OutTradeNo: r.OutTradeNo, ProviderRef: r.ProviderRef, MethodCode: r.MethodCode,
		TID: r.TID, There: r.Amount, ThereState: string(r.State), At: r.At}
	if !Ours(m.tid, r) {
		if r.MoneyMoved() {
			m.add(d, OtherTerminal)
		}
		return
	}
	o, ok := m.orders[r.OutTradeNo]
	if !ok || o.Provider != r.Provider {
		if r.MoneyMoved() {
			m.add(d, MissingHere)
		}
		return
	}
	m.seenOrders[o.OutTradeNo] = true
	d.Here, d.HereState = o.Amount, string(o.State)
	if d.At.IsZero() {
		d.At = o.CreatedAt
	}
	here, there := o.State.MoneyMoved(), r.MoneyMoved()
	switch {
	case r.State == payments.Unknown:
		d.Reason = "the provider's record does not say whether it was paid (code " + r.Code + ")"
		m.add(d, NotChecked)
	case there && !here:
		m.add(d, NotPaidHere)
	case here && !there:
		m.add(d, NotPaidThere)
	case here && differs(o.Amount, r.Amount):
		m.add(d, AmountDiffers)
	}
}

// refund compares one refund record with the journal.
func (m *matcher) refund(r payments.Record) {
	sale := r.OriginalOrder
	if sale == "" {
		sale = m.saleOf[r.OriginalRef]
	}
	d := Difference{Provider: r.Provider, OutTradeNo: sale, RefundNo: r.OutTradeNo, ProviderRef: r.ProviderRef,
		MethodCode: r.MethodCode, TID: r.TID, There: r.Amount, ThereState: string(r.RefundState), At: r.At}
	if !Ours(m.tid, r) {
		if r.MoneyMoved() {
			m.add(d, OtherTerminal)
		}
		return
	}
	jr, ok := m.refunds[r.OutTradeNo]
	if !ok {
		if r.MoneyMoved() {
			m.add(d, RefundOnlyThere)
		}
		return
	}
	m.seenRefunds[jr.RefundNo] = true
	d.OutTradeNo, d.Here, d.HereState = jr.OutTradeNo, jr.Amount, string(jr.State)
	if d.At.IsZero() {
		d.At = jr.CreatedAt
	}
	here, there := jr.State == payments.RefundDone, r.MoneyMoved()
	switch {
	case there && !here:
		m.add(d, RefundOnlyThere)
	case here && !there:
		m.add(d, RefundOnlyHere)
	case here && differs(jr.Amount, r.Amount):
		m.add(d, RefundDiffers)
	}
}

// leftHere reports the journal's paid sales and done refunds that no
// record matched (unless their provider could not be asked).
func (m *matcher) leftHere() {
	for _, o := range m.in.Orders {
		if m.seenOrders[o.OutTradeNo] || m.unchecked[o.OutTradeNo+"\x00"] || !o.State.MoneyMoved() {
			continue
		}
		m.add(Difference{Provider: o.Provider, OutTradeNo: o.OutTradeNo, ProviderRef: o.ProviderRef, MethodCode: o.MethodCode,
			Here: o.Amount, HereState: string(o.State), At: o.CreatedAt}, NotPaidThere)
	}
	for _, r := range m.in.Refunds {
		if m.seenRefunds[r.RefundNo] || m.unchecked[r.OutTradeNo+"\x00"+r.RefundNo] || r.State != payments.RefundDone {
			continue
		}
		m.add(Difference{Provider: r.Provider, OutTradeNo: r.OutTradeNo, RefundNo: r.RefundNo, ProviderRef: r.ProviderRef,
			Here: r.Amount, HereState: string(r.State), At: r.CreatedAt}, RefundOnlyHere)
	}
}

func (m *matcher) add(d Difference, k Kind) {
	d.Kind = k
	m.out = append(m.out, d)
}

// differs reports whether the provider's amount is another than the
// journal's: another count of minor units, or a currency it names that is
// not the journal's. An amount the provider did not give is not compared.
func differs(here, there payments.Money) bool {
	if there == (payments.Money{}) {
		return false
	}
	return there.Minor != here.Minor || there.Currency != "" && there.Currency != here.Currency
}

// sortDifferences puts this terminal's first, then by time and number.
func sortDifferences(ds []Difference) {
	sort.SliceStable(ds, func(i, k int) bool {
		a, b := ds[i], ds[k]
		if a.Ours() != b.Ours() {
			return a.Ours()
		}
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if a.OutTradeNo != b.OutTradeNo {
			return a.OutTradeNo < b.OutTradeNo
		}
		return a.RefundNo < b.RefundNo
	})
}
