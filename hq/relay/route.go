package relay

import "qrpos/payments"

// TIDOf is the terminal an order or refund number belongs to: every
// number is the tid, the date as yyMMdd and RandomPartLength characters
// of 0-9A-Z (payments.NewOrderNumber), so the tid is all but the last 16
// characters. No lookup of uploaded orders is needed: a notification that
// arrives before its order's upload is routed all the same. ok is false
// for a number no terminal of this program made.
func TIDOf(no string) (tid string, ok bool) {
	const tail = 6 + payments.RandomPartLength
	if len(no) <= tail || len(no) > payments.MaxOrderNumber {
		return "", false
	}
	tid, date, random := no[:len(no)-tail], no[len(no)-tail:len(no)-payments.RandomPartLength], no[len(no)-payments.RandomPartLength:]
	if payments.ValidateTID(tid) != nil || !dateDigits(date) {
		return "", false
	}
	for i := 0; i < len(random); i++ {
		if c := random[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return "", false
		}
	}
	return tid, true
}

// dateDigits reports whether d is a yyMMdd date's digits (month 01-12,
// day 01-31).
func dateDigits(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	month, day := (d[2]-'0')*10+d[3]-'0', (d[4]-'0')*10+d[5]-'0'
	return month >= 1 && month <= 12 && day >= 1 && day <= 31
}
