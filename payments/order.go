package payments

import (
	"fmt"
	"time"
)

// State is where an order stands. Only the provider's answers move it.
type State string

// Order states.
const (
	// Created: journalled, nothing sent yet.
	Created State = "created"
	// Pending: the provider has the order and the customer has not paid yet.
	Pending State = "pending"
	// Unknown: a request went out and no trustworthy answer came back; the
	// same out_trade_no is queried until the provider knows it.
	Unknown        State = "unknown"
	Paid           State = "paid"
	Failed         State = "failed"
	Closed         State = "closed"  // ended unpaid by the terminal (cancel, close, reversal)
	Expired        State = "expired" // ended unpaid by the provider's clock
	PartlyRefunded State = "partly_refunded"
	Refunded       State = "refunded"
)

// States lists every state.
func States() []State {
	return []State{Created, Pending, Unknown, Paid, Failed, Closed, Expired, PartlyRefunded, Refunded}
}

// transitions is the one table of legal state changes. A change not listed
// here is an error, never a silent overwrite.
//
// Failed, Closed and Expired may still become Paid: the provider's verified
// word that money moved for this very order wins over every local belief
// that it did not (a customer who paid in the instant the cashier
// cancelled has paid, and must get the receipt or the refund).
var transitions = map[State][]State{
	Created:        {Pending, Unknown, Paid, Failed, Closed},
	Pending:        {Unknown, Paid, Failed, Closed, Expired},
	Unknown:        {Pending, Paid, Failed, Closed, Expired},
	Paid:           {PartlyRefunded, Refunded},
	PartlyRefunded: {PartlyRefunded, Refunded},
	Closed:         {Paid},
	Expired:        {Paid},
	Failed:         {Paid},
	Refunded:       nil,
}

// CanTransition reports whether from -> to is legal.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TransitionError is an illegal state change.
type TransitionError struct {
	OutTradeNo string
	From, To   State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("order %s: illegal state change %s -> %s", e.OutTradeNo, e.From, e.To)
}

// CheckTransition returns a *TransitionError when from -> to is illegal.
func CheckTransition(outTradeNo string, from, to State) error {
	if !CanTransition(from, to) {
		return &TransitionError{OutTradeNo: outTradeNo, From: from, To: to}
	}
	return nil
}

// Settled reports whether an order in state s needs nothing more from its
// provider: recovery skips it. Paid and partly refunded orders are settled
// although refunds may still follow.
func (s State) Settled() bool {
	switch s {
	case Paid, Failed, Closed, Expired, PartlyRefunded, Refunded:
		return true
	}
	return false
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := transitions[s]; return ok }

// MoneyMoved reports whether the customer's money reached the merchant.
func (s State) MoneyMoved() bool {
	return s == Paid || s == PartlyRefunded || s == Refunded
}

// Order is one sale as the journal keeps it.
type Order struct {
	OutTradeNo string
	TID        string
	Provider   Provider
	MethodCode string
	Mode       Mode
	Amount     Money
	Refunded   Money // the sum of confirmed refunds
	State      State

	ProviderRef string // eftpay_trade_no or QFPay syssn, once known
	QRCode      string // MPM: what the customer display shows
	AuthCode    string // CPM: masked, never the full code
	Reason      string // failure or close reason for people

	// CashAmount is what the customer paid in their own currency when the
	// provider says it differs (a mainland wallet paying in CNY), and
	// ExchangeRate the rate as the provider gave it; zero and empty
	// otherwise.
	CashAmount   Money
	ExchangeRate string

	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time // MPM: when the terminal closes it unpaid
}

// Method returns the catalogue row of the order.
func (o Order) Method() (Method, error) { return LookupMethod(o.Provider, o.MethodCode) }

// Refundable is what may still be refunded.
func (o Order) Refundable() Money {
	if !o.State.MoneyMoved() {
		return Money{0, o.Amount.Currency}
	}
	return Money{o.Amount.Minor - o.Refunded.Minor, o.Amount.Currency}
}

// RefundState is where a refund stands.
type RefundState string

// Refund states.
const (
	RefundCreated RefundState = "created"
	RefundPending RefundState = "pending"
	RefundUnknown RefundState = "unknown"
	RefundDone    RefundState = "done"
	RefundFailed  RefundState = "failed"
)

// Settled reports whether the refund needs nothing more from the provider.
func (s RefundState) Settled() bool { return s == RefundDone || s == RefundFailed }

var refundTransitions = map[RefundState][]RefundState{
	RefundCreated: {RefundPending, RefundUnknown, RefundDone, RefundFailed},
	RefundPending: {RefundUnknown, RefundDone, RefundFailed},
	RefundUnknown: {RefundPending, RefundDone, RefundFailed},
}

// CanRefundTransition reports whether a refund may move from -> to.
func CanRefundTransition(from, to RefundState) bool {
	for _, s := range refundTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Refund is one refund of an order, with its own unique number.
type Refund struct {
	RefundNo    string
	OutTradeNo  string
	Amount      Money
	State       RefundState
	ProviderRef string
	Reason      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AttentionAfter is how long an order or refund may stay without the
// provider's final word before the manager is shown it as needing
// attention (screen, pos orders, day report). It is still being checked.
var AttentionAfter = 2 * time.Minute

// NeedsAttention reports whether the order has gone without the provider's
// final word for too long: its outcome is unknown, or it is still open
// AttentionAfter past its deadline.
func (o Order) NeedsAttention(now time.Time) bool {
	if o.State.Settled() {
		return false
	}
	since := o.CreatedAt
	if o.ExpiresAt.After(since) {
		since = o.ExpiresAt
	}
	return now.Sub(since) >= AttentionAfter
}

// NeedsAttention reports whether the refund has gone without the
// provider's final word for AttentionAfter since it was journalled.
func (r Refund) NeedsAttention(now time.Time) bool {
	return !r.State.Settled() && now.Sub(r.CreatedAt) >= AttentionAfter
}
