package payments_test

import (
	"errors"
	"testing"

	"qrpos/payments"
	_ "qrpos/payments/providers"
)

func TestMatch(t *testing.T) {
	o := payments.Order{OutTradeNo: "T1261123ABCDEFGHIJ", TID: "T1", Provider: payments.QFPay, MethodCode: "800008", Mode: payments.CPM,
		Amount: payments.Money{Minor: 100, Currency: "HKD"}}
	for _, tc := range []struct {
		name  string
		said  payments.Said
		field string // "" = matches
	}{
		{"nothing said", payments.Said{}, ""},
		{"all the same", payments.Said{OutTradeNo: o.OutTradeNo, Amount: payments.Money{Minor: 100, Currency: "HKD"}, MethodCode: "800008", TID: "t1"}, ""},
		{"unified code reported as the wallet's", payments.Said{MethodCode: "800208"}, ""},
		{"another number", payments.Said{OutTradeNo: "T1261123ZZZZZZZZZZ"}, "out_trade_no"},
		{"another amount (88.00 for 1.00)", payments.Said{Amount: payments.Money{Minor: 8800, Currency: "HKD"}}, "amount"},
		{"another currency", payments.Said{Amount: payments.Money{Minor: 100, Currency: "CNY"}}, "currency"},
		{"an MPM pay type for a CPM order", payments.Said{MethodCode: "800101"}, "method"},
		{"a code not in the catalogue", payments.Said{MethodCode: "999999"}, "method"},
		{"another terminal", payments.Said{TID: "T2"}, "tid"},
	} {
		err := payments.Match(o, tc.said)
		var ce *payments.CollisionError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &ce) || ce.Field != tc.field):
			t.Errorf("%s: got %v, want a collision on %s", tc.name, err, tc.field)
		}
	}
	// A specific wallet's order does not accept another wallet.
	w := payments.Order{OutTradeNo: "X", Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: payments.Money{Minor: 100, Currency: "HKD"}}
	if payments.Match(w, payments.Said{MethodCode: "WECHATHK"}) == nil {
		t.Error("ALIPAYHK order matched a WECHATHK record")
	}
	if payments.Match(w, payments.Said{MethodCode: "alipayhk"}) != nil {
		t.Error("case must not matter")
	}
	both := payments.Order{OutTradeNo: "X", Provider: payments.Eftpay, MethodCode: "ALIPAYBOTH", Amount: payments.Money{Minor: 100, Currency: "HKD"}}
	if payments.Match(both, payments.Said{MethodCode: "ALIPAYCN"}) != nil || payments.Match(both, payments.Said{MethodCode: "WECHATCN"}) == nil {
		t.Error("ALIPAYBOTH must accept ALIPAYCN and refuse WECHATCN")
	}
}
