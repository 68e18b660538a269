package payments

import (
	"errors"
	"testing"
)

func TestMatch(t *testing.T) {
	o := Order{OutTradeNo: "T1261123ABCDEFGHIJ", TID: "T1", Provider: QFPay, MethodCode: "800008", Mode: CPM,
		Amount: Money{100, "HKD"}}
	for _, tc := range []struct {
		name  string
		said  Said
		field string // "" = matches
	}{
		{"nothing said", Said{}, ""},
		{"all the same", Said{OutTradeNo: o.OutTradeNo, Amount: Money{100, "HKD"}, MethodCode: "800008", TID: "t1"}, ""},
		{"unified code reported as the wallet's", Said{MethodCode: "800208"}, ""},
		{"another number", Said{OutTradeNo: "T1261123ZZZZZZZZZZ"}, "out_trade_no"},
		{"another amount (88.00 for 1.00)", Said{Amount: Money{8800, "HKD"}}, "amount"},
		{"another currency", Said{Amount: Money{100, "CNY"}}, "currency"},
		{"an MPM pay type for a CPM order", Said{MethodCode: "800101"}, "method"},
		{"a code not in the catalogue", Said{MethodCode: "999999"}, "method"},
		{"another terminal", Said{TID: "T2"}, "tid"},
	} {
		err := Match(o, tc.said)
		var ce *CollisionError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &ce) || ce.Field != tc.field):
			t.Errorf("%s: got %v, want a collision on %s", tc.name, err, tc.field)
		}
	}
	// A specific wallet's order does not accept another wallet.
	w := Order{OutTradeNo: "X", Provider: Eftpay, MethodCode: "ALIPAYHK", Amount: Money{100, "HKD"}}
	if Match(w, Said{MethodCode: "WECHATHK"}) == nil {
		t.Error("ALIPAYHK order matched a WECHATHK record")
	}
	if Match(w, Said{MethodCode: "alipayhk"}) != nil {
		t.Error("case must not matter")
	}
	both := Order{OutTradeNo: "X", Provider: Eftpay, MethodCode: "ALIPAYBOTH", Amount: Money{100, "HKD"}}
	if Match(both, Said{MethodCode: "ALIPAYCN"}) != nil || Match(both, Said{MethodCode: "WECHATCN"}) == nil {
		t.Error("ALIPAYBOTH must accept ALIPAYCN and refuse WECHATCN")
	}
}
