package qfpay

import (
	"qrpos/payments"
)

// The cancel flag of a query record or notification (providers.md 2.2).
const (
	CancelNone           = 0
	CancelReversed       = 1 // reversed (or refunded by reversal)
	CancelClosed         = 2 // closed
	CancelRefunded       = 3
	CancelPreAuthDone    = 4
	CancelPartlyRefunded = 5
)

// saleState is where a sale stands according to one of its records: the
// cancel flag first (it says what happened after the payment), then the
// record's respcd as recordOutcomes says (Unknown for a code that does not
// say; never Failed). flagKnown is false for a cancel flag this client does
// not know: the state is Unknown and the caller logs it.
func saleState(respcd string, cancel int) (state payments.State, flagKnown bool) {
	switch cancel {
	case CancelNone, CancelPreAuthDone:
	case CancelReversed, CancelClosed:
		if respcd == CodeOK {
			return payments.Refunded, true // paid, then reversed: the money went back
		}
		return payments.Closed, true
	case CancelRefunded:
		return payments.Refunded, true
	case CancelPartlyRefunded:
		return payments.PartlyRefunded, true
	default:
		return payments.Unknown, false
	}
	return outcomeOf(respcd).sale, true
}

// refundState is where a refund stands according to its record's respcd:
// RefundUnknown for a code that does not say (never RefundFailed).
func refundState(respcd string) payments.RefundState {
	return outcomeOf(respcd).refund
}
