package payments

import (
	"context"
	"time"
)

// RecordKind says whether a provider's record is a sale or a refund.
type RecordKind string

// The kinds of record.
const (
	RecordSale   RecordKind = "sale"
	RecordRefund RecordKind = "refund"
)

// Record is one transaction as a provider's own books hold it: what
// reconciliation compares with the journal. Every field is what the
// provider said, never copied from the journal.
type Record struct {
	Provider Provider
	Kind     RecordKind
	// OutTradeNo is the sale's number, or for a refund the refund's own
	// number (they share one namespace at the providers).
	OutTradeNo  string
	ProviderRef string // eftpay_trade_no / syssn of this record
	// For a refund: the sale's provider reference (QFPay origssn) and the
	// sale's number, when the provider says them.
	OriginalRef   string
	OriginalOrder string
	MethodCode    string // pay_type / payment_type
	Amount        Money  // txamt / transaction_amount (a refund's: what it returned)
	// State of a sale (Paid, PartlyRefunded, Refunded, Pending, Failed,
	// Closed, Expired, or Unknown when the record does not say); empty for
	// a refund, whose state is RefundState.
	State       State
	RefundState RefundState
	TID         string    // udid / tid of the terminal that made it ("": not said)
	At          time.Time // when the provider recorded it (QFPay sysdtm)
	Code        string    // the provider's own status code of the record
}

// MoneyMoved reports whether the record says money moved: a sale the
// customer paid (refunds since included), a refund that was made.
func (r Record) MoneyMoved() bool {
	if r.Kind == RecordRefund {
		return r.RefundState == RefundDone
	}
	return r.State.MoneyMoved()
}

// DayLister is a gateway that can list its provider's records of a span
// of time (QFPay's enquiry by time range). A gateway without it is
// reconciled by querying each journalled order and refund.
type DayLister interface {
	// Records lists every record, sales and refunds, of the merchant
	// (every terminal's) that the provider made in [from, to). It keeps
	// asking page after page until the provider has no more; an error
	// means the list is not complete.
	Records(ctx context.Context, from, to time.Time) ([]Record, error)
}

// RecordOf is the record a query answer describes: the sale q asked
// about, or its refund when q.RefundNo is set. It is how a provider
// without a DayLister is reconciled.
func RecordOf(p Provider, q QueryRequest, res QueryResult) Record {
	r := Record{Provider: p, Kind: RecordSale, OutTradeNo: res.OutTradeNo, ProviderRef: res.ProviderRef,
		MethodCode: res.MethodCode, Amount: res.Amount, State: res.State, TID: res.TID, Code: res.Code}
	if r.OutTradeNo == "" {
		r.OutTradeNo = q.OutTradeNo
	}
	if q.RefundNo != "" {
		r.Kind, r.State, r.RefundState = RecordRefund, "", res.RefundState
		r.OriginalOrder, r.OriginalRef = q.OutTradeNo, q.ProviderRef
		if res.OutTradeNo == "" || res.OutTradeNo == q.OutTradeNo {
			r.OutTradeNo = q.RefundNo // the answer named the sale, not the refund
		}
	}
	return r
}
