package reconcile

import (
	"fmt"
	"strings"
	"time"

	"qrpos/payments"
)

// Kind is what a difference is. The values are stable: they are the
// command line's JSON and the screens' translation keys.
type Kind string

// The kinds of difference.
const (
	// MissingHere: the provider has a paid sale of this terminal the
	// journal does not hold. A manager may take it into the journal.
	MissingHere Kind = "missing_here"
	// NotPaidHere: the provider says the customer paid; the journal holds
	// the sale as not paid (or still open).
	NotPaidHere Kind = "not_paid_here"
	// NotPaidThere: the journal says paid; the provider says not paid, or
	// has no such sale.
	NotPaidThere Kind = "not_paid_there"
	// AmountDiffers: both say paid, in other amounts or currencies.
	AmountDiffers Kind = "amount_differs"
	// RefundOnlyThere: the provider made a refund the journal does not
	// hold as done.
	RefundOnlyThere Kind = "refund_only_there"
	// RefundOnlyHere: the journal holds a refund as done the provider did
	// not make.
	RefundOnlyHere Kind = "refund_only_here"
	// RefundDiffers: both made the refund, of other amounts.
	RefundDiffers Kind = "refund_differs"
	// OtherTerminal: a record of the merchant made by another terminal
	// (its udid / tid): reported, not this terminal's to settle.
	OtherTerminal Kind = "other_terminal"
	// NotChecked: the provider could not say; nothing is concluded.
	NotChecked Kind = "not_checked"
)

// Kinds lists every kind, in the order a person reads them.
func Kinds() []Kind {
	return []Kind{MissingHere, NotPaidHere, NotPaidThere, AmountDiffers, RefundOnlyThere, RefundOnlyHere, RefundDiffers,
		OtherTerminal, NotChecked}
}

var kindTexts = map[Kind][2]string{
	MissingHere: {"paid at the provider, missing here",
		"check that the customer paid at this counter (time, amount, the provider's reference); if so, a manager takes the sale into the journal (End of day, Reconcile with provider, Take in)"},
	NotPaidHere: {"paid at the provider, not paid here",
		"the customer's money arrived but the journal does not show the sale paid: if it is still open the terminal is checking it; otherwise find the customer and hand over the goods or refund the payment"},
	NotPaidThere: {"paid here, not paid (or missing) at the provider",
		"the journal says paid but the provider has no paid record: the money did not arrive; ask the provider with the order number before handing over anything more"},
	AmountDiffers: {"amount or currency differs",
		"compare the receipt with the provider's record and ask the provider: the settlement pays the provider's amount"},
	RefundOnlyThere: {"refunded at the provider, not here",
		"someone refunded this sale outside this terminal (the merchant portal, another device): find out who and tell the accountant"},
	RefundOnlyHere: {"refunded here, not at the provider",
		"the journal says refunded but the provider made no such refund: the customer may not have the money back; ask the provider before refunding again"},
	RefundDiffers: {"refund amounts differ",
		"compare the refund receipt with the provider's record and ask the provider"},
	OtherTerminal: {"another terminal's record",
		"not this terminal's sale or refund: it is reconciled on the terminal it names; nothing to do here unless no such terminal exists"},
	NotChecked: {"could not be checked",
		"the provider could not say: run the reconciliation again later"},
}

// Title says what the difference is, in English ("paid at the provider,
// missing here"); screens translate the kind themselves.
func (k Kind) Title() string {
	if t, ok := kindTexts[k]; ok {
		return t[0]
	}
	return string(k)
}

// Todo says what to do about it, in English.
func (k Kind) Todo() string { return kindTexts[k][1] }

// Difference is one disagreement between the journal and a provider.
type Difference struct {
	Kind        Kind
	Provider    payments.Provider
	OutTradeNo  string // the sale's number ("" when a refund's sale is not known)
	RefundNo    string // for the refund kinds
	ProviderRef string // the provider's reference of the record (or of the journal's order)
	MethodCode  string
	TID         string // the terminal the provider's record names
	// Here is what the journal holds and There what the provider says:
	// amounts (the zero Money: nothing) and states (the journal's order or
	// refund state, the record's; "" when that side has nothing).
	Here, There           payments.Money
	HereState, ThereState string
	At                    time.Time // when it happened (the provider's time when it has one)
	Reason                string    // NotChecked: why
}

// Ours reports whether the difference is this terminal's to settle.
func (d Difference) Ours() bool { return d.Kind != OtherTerminal }

// CanTakeIn reports whether a manager may take the provider's sale into
// the journal.
func (d Difference) CanTakeIn() bool { return d.Kind == MissingHere }

// String is the difference on one line, in English.
func (d Difference) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Kind.Title(), d.Provider)
	if d.OutTradeNo != "" {
		fmt.Fprintf(&b, " order %s", d.OutTradeNo)
	}
	if d.RefundNo != "" {
		fmt.Fprintf(&b, " refund %s", d.RefundNo)
	}
	if d.ProviderRef != "" {
		fmt.Fprintf(&b, " ref %s", d.ProviderRef)
	}
	if d.TID != "" && d.Kind == OtherTerminal {
		fmt.Fprintf(&b, " tid %s", d.TID)
	}
	fmt.Fprintf(&b, ": here %s, provider %s", side(d.Here, d.HereState), side(d.There, d.ThereState))
	if d.Reason != "" {
		fmt.Fprintf(&b, " (%s)", d.Reason)
	}
	fmt.Fprintf(&b, "; to do: %s", d.Kind.Todo())
	return b.String()
}

// side is one side's amount and state, or "nothing".
func side(m payments.Money, state string) string {
	if m == (payments.Money{}) && state == "" {
		return "nothing"
	}
	var parts []string
	if m != (payments.Money{}) {
		parts = append(parts, Amount(m))
	}
	if state != "" {
		parts = append(parts, state)
	}
	return strings.Join(parts, " ")
}

// Amount is an amount as a person reads it, also in a currency the
// terminal does not know ("XXX 12.30" rather than nothing).
func Amount(m payments.Money) string {
	if m.Currency.Valid() {
		return m.String()
	}
	return strings.TrimSpace(string(m.Currency) + " " + fmt.Sprint(m.Minor) + " minor units")
}
