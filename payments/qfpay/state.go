package qfpay

import (
	"qrpos/payments"
)

// The cancel flag of a query record or notification (providers.md 2.2).
const (
	CancelNone           = 0
	CancelReversed       = 1 // CPM reversed (or refunded by reversal)
	CancelClosed         = 2 // MPM closed
	CancelRefunded       = 3
	CancelPreAuthDone    = 4
	CancelPartlyRefunded = 5
)

// saleState is where a sale stands according to one of its records: the
// cancel flag first (it says what happened after the payment), then the
// record's respcd: 0000 paid, 1143/1145 waiting, 1181 expired, 1142/1263/
// 1264 closed, anything else failed. ok is false for a cancel flag this
// client does not know; the caller keeps the order open and logs it.
func saleState(respcd string, cancel int) (state payments.State, ok bool) {
	switch cancel {
	case CancelNone, CancelPreAuthDone:
	case CancelReversed:
		if respcd == CodeOK {
			return payments.Refunded, true // paid, then reversed: the money went back
		}
		return payments.Closed, true
	case CancelClosed:
		if respcd == CodeOK {
			return payments.Refunded, true
		}
		return payments.Closed, true
	case CancelRefunded:
		return payments.Refunded, true
	case CancelPartlyRefunded:
		return payments.PartlyRefunded, true
	default:
		return payments.Unknown, false
	}
	switch {
	case respcd == CodeOK:
		return payments.Paid, true
	case isPending(respcd):
		return payments.Pending, true
	case respcd == CodeExpired:
		return payments.Expired, true
	case KindOf(respcd) == payments.KindClosed:
		return payments.Closed, true
	}
	return payments.Failed, true
}

// refundState is where a refund stands according to its record's respcd.
func refundState(respcd string) payments.RefundState {
	switch {
	case respcd == CodeOK:
		return payments.RefundDone
	case isPending(respcd):
		return payments.RefundPending
	}
	return payments.RefundFailed
}
