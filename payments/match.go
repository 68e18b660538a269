package payments

import (
	"fmt"
	"strings"
)

// CollisionError is a provider's record (a query answer or a notification)
// that is not about the journalled order it was asked about: another sale
// under the same number (a journal restored from a backup, a second
// terminal with the same tid), another amount, currency, method or
// terminal. It never moves money: the order is neither paid nor refunded
// on its strength.
type CollisionError struct {
	OutTradeNo string
	Field      string // out_trade_no, amount, currency, method, tid
	Ours       string
	Theirs     string
}

func (e *CollisionError) Error() string {
	return fmt.Sprintf("order %s: the provider's record is about another sale (%s %q, ours %q): order number collision",
		e.OutTradeNo, e.Field, e.Theirs, e.Ours)
}

// Said is what a provider's record says it is about. Empty fields (and a
// zero amount) were not said and are not compared.
type Said struct {
	OutTradeNo string
	Amount     Money
	MethodCode string
	TID        string
}

// Match checks a provider's record against the journalled order o. It
// returns a *CollisionError naming the first field that differs.
func Match(o Order, s Said) error {
	bad := func(field, ours, theirs string) error {
		return &CollisionError{OutTradeNo: o.OutTradeNo, Field: field, Ours: ours, Theirs: theirs}
	}
	if s.OutTradeNo != "" && s.OutTradeNo != o.OutTradeNo {
		return bad("out_trade_no", o.OutTradeNo, s.OutTradeNo)
	}
	if s.Amount.Minor != 0 && s.Amount.Minor != o.Amount.Minor {
		return bad("amount", o.Amount.Decimal(), s.Amount.Decimal())
	}
	if s.Amount.Currency != "" && s.Amount.Currency != o.Amount.Currency {
		return bad("currency", string(o.Amount.Currency), string(s.Amount.Currency))
	}
	if s.MethodCode != "" && !SameMethod(o.Provider, o.MethodCode, s.MethodCode) {
		return bad("method", o.MethodCode, s.MethodCode)
	}
	if s.TID != "" && o.TID != "" && !strings.EqualFold(s.TID, o.TID) {
		return bad("tid", o.TID, s.TID)
	}
	return nil
}

// SameMethod reports whether a provider's record naming method code
// reported can be about an order placed with method code ordered. A
// unified method accepts the wallets it stands for: QFPay's unified CPM
// code (800008) is reported as the wallet's own CPM pay type, eftPay's
// ALIPAYBOTH as ALIPAYCN or ALIPAYHK. Codes compare case-insensitively.
func SameMethod(p Provider, ordered, reported string) bool {
	if strings.EqualFold(ordered, reported) {
		return true
	}
	om, err := LookupMethod(p, ordered)
	if err != nil {
		return false
	}
	rm, err := LookupMethod(p, strings.ToUpper(reported))
	if err != nil {
		return false
	}
	switch om.Wallet {
	case AnyWallet:
		return rm.Mode == om.Mode
	case AlipayBoth:
		return rm.Mode == om.Mode && (rm.Wallet == Alipay || rm.Wallet == AlipayHK)
	}
	return false
}
