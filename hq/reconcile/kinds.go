package reconcile

import (
	"strings"

	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/reconcile"
)

// UnknownTerminal is a kind of difference only head office finds: a
// record of the merchant that no terminal it serves made (its tid, or
// udid, names no enrolled terminal, or one another merchant serves) and
// whose number no such terminal's journal holds.
const UnknownTerminal reconcile.Kind = "unknown_terminal"

// Kinds lists every kind head office reports, in the order a person
// reads them.
func Kinds() []reconcile.Kind { return append(reconcile.Kinds(), UnknownTerminal) }

// Title says what a difference of kind k is, in English.
func Title(k reconcile.Kind) string {
	if k == UnknownTerminal {
		return "a record of no terminal this merchant serves"
	}
	return k.Title()
}

// Todo says what to do about a difference of kind k, in English.
func Todo(k reconcile.Kind) string {
	if k == UnknownTerminal {
		return "the provider holds a record of this merchant naming a terminal head office does not know under it: " +
			"if the terminal is the chain's, enrol it (pos hq enrol) or add it to the merchant's stores or tids in the merchants file; " +
			"otherwise ask the provider who made it with this merchant's credential"
	}
	return k.Todo()
}

// unknownTerminal is the difference a record no served terminal claims
// makes: nothing here, the provider's word there.
func unknownTerminal(r payments.Record) reconcile.Difference {
	d := reconcile.Difference{Kind: UnknownTerminal, Provider: r.Provider, OutTradeNo: r.OutTradeNo, ProviderRef: r.ProviderRef,
		MethodCode: r.MethodCode, TID: r.TID, There: r.Amount, ThereState: string(r.State), At: r.At}
	if r.Kind == payments.RecordRefund {
		d.OutTradeNo, d.RefundNo, d.ThereState = r.OriginalOrder, r.OutTradeNo, string(r.RefundState)
	}
	return d
}

// stored is difference d of terminal tid of shop, found with merchant,
// as head office keeps it.
func stored(merchant string, tid, shop string, d reconcile.Difference) store.Difference {
	return store.Difference{Merchant: merchant, Provider: string(d.Provider), TID: tid, Store: shop,
		Kind: string(d.Kind), Title: Title(d.Kind), Todo: Todo(d.Kind), OutTradeNo: d.OutTradeNo, RefundNo: d.RefundNo,
		ProviderRef: d.ProviderRef, Method: d.MethodCode, RecordTID: d.TID,
		HereMinor: d.Here.Minor, HereCurrency: string(d.Here.Currency), HereState: d.HereState,
		ThereMinor: d.There.Minor, ThereCurrency: string(d.There.Currency), ThereState: d.ThereState,
		At: d.At, Reason: d.Reason}
}

// orderOf is head office's copy of an order as the journal's.
func orderOf(o store.Order) payments.Order {
	cur := payments.Currency(o.Currency)
	return payments.Order{OutTradeNo: o.OutTradeNo, TID: o.TID, Provider: payments.Provider(o.Provider), MethodCode: o.Method,
		Mode: payments.Mode(o.Mode), Amount: payments.Money{Minor: o.AmountMinor, Currency: cur},
		Refunded: payments.Money{Minor: o.RefundedMinor, Currency: cur}, State: payments.State(o.State),
		ProviderRef: o.ProviderRef, AuthCode: o.AuthCodeMasked, Reason: o.Reason, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// refundOf is head office's copy of a refund as the journal's, with its
// sale's provider.
func refundOf(r store.SaleRefund) reconcile.Refund {
	return reconcile.Refund{Provider: payments.Provider(r.Sale.Provider), Refund: payments.Refund{RefundNo: r.RefundNo,
		OutTradeNo: r.Sale.OutTradeNo, Amount: payments.Money{Minor: r.AmountMinor, Currency: payments.Currency(r.Currency)},
		State: payments.RefundState(r.State), ProviderRef: r.ProviderRef, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}

// fold is a tid as records are matched to terminals: without case, as
// payments/reconcile.Ours matches them.
func fold(tid string) string { return strings.ToUpper(tid) }
