package qfpay

import (
	"testing"
	"time"

	"qrpos/payments"
)

func TestStatusTableComplete(t *testing.T) {
	// The seed's table has 52 rows; every one has an English text.
	if n := len(Codes()); n != 52 {
		t.Errorf("status table has %d codes, the seed has 52", n)
	}
	for _, c := range Codes() {
		if len(c) != 4 || Message(c) == "" {
			t.Errorf("code %q: bad row", c)
		}
	}
	for c := range codeKinds {
		if Message(c) == "" {
			t.Errorf("code %s has a kind but no text", c)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := map[string]payments.ErrorKind{
		"1143": payments.KindPending, "1145": payments.KindPending,
		"1102": payments.KindDuplicate, "2011": payments.KindDuplicate,
		"1108": payments.KindBadSignature,
		"1142": payments.KindClosed, "1264": payments.KindClosed, "1263": payments.KindClosed, "1181": payments.KindClosed,
		"1202": payments.KindBadCode, "2005": payments.KindBadCode,
		"1201": payments.KindInsufficient,
		"1260": payments.KindAlreadyPaid,
		"1272": payments.KindRefundBalance,
		"1265": payments.KindRefundRefused, "1269": payments.KindRefundRefused, "1155": payments.KindRefundRefused,
		"1270": payments.KindRefundRefused, "1271": payments.KindRefundRefused,
		"1297": payments.KindBusy, "1298": payments.KindBusy, "1295": payments.KindBusy, "1296": payments.KindBusy,
		"1105": payments.KindAuth, "1106": payments.KindAuth, "1107": payments.KindAuth, "1203": payments.KindAuth,
		"1103": payments.KindBadRequest, "1104": payments.KindBadRequest,
		"1100": payments.KindSystem, "1252": payments.KindSystem, "1254": payments.KindSystem,
		"1205": payments.KindDeclined, "1294": payments.KindDeclined, "9999": payments.KindDeclined,
	}
	for code, want := range cases {
		if got := KindOf(code); got != want {
			t.Errorf("KindOf(%s) = %s, want %s", code, got, want)
		}
	}
}

func TestSaleState(t *testing.T) {
	cases := []struct {
		respcd string
		cancel int
		want   payments.State
		ok     bool
	}{
		{"0000", 0, payments.Paid, true},
		{"1143", 0, payments.Pending, true},
		{"1145", 0, payments.Pending, true},
		{"1181", 0, payments.Expired, true},
		{"1142", 0, payments.Closed, true},
		{"1205", 0, payments.Failed, true},
		{"1202", 0, payments.Failed, true},
		{"1143", 1, payments.Closed, true},
		{"0000", 1, payments.Refunded, true},
		{"1143", 2, payments.Closed, true},
		{"0000", 3, payments.Refunded, true},
		{"0000", 4, payments.Paid, true},
		{"0000", 5, payments.PartlyRefunded, true},
		{"0000", 6, payments.Unknown, false},
	}
	for _, c := range cases {
		got, ok := saleState(c.respcd, c.cancel)
		if got != c.want || ok != c.ok {
			t.Errorf("saleState(%s, %d) = %s %v, want %s %v", c.respcd, c.cancel, got, ok, c.want, c.ok)
		}
	}
	for code, want := range map[string]payments.RefundState{"0000": payments.RefundDone, "1143": payments.RefundPending,
		"1145": payments.RefundPending, "1272": payments.RefundFailed} {
		if got := refundState(code); got != want {
			t.Errorf("refundState(%s) = %s, want %s", code, got, want)
		}
	}
}

func TestExpiredTimeAndGoodsName(t *testing.T) {
	for d, want := range map[string]string{"0s": "30", "1m": "5", "5m": "5", "5m1s": "6", "45m": "45", "2h": "120", "3h": "120"} {
		dur, _ := time.ParseDuration(d)
		if got := expiredTime(dur); got != want {
			t.Errorf("expiredTime(%s) = %s, want %s", d, got, want)
		}
	}
	for in, want := range map[string]string{
		"Milk tea":                       "Milk tea",
		"Coffee & cake!":                 "Coffee  cake",
		"奶茶":                             "奶茶",
		"a very long subject that keeps": "a very long subject",
		"":                               "",
	} {
		if got := goodsName(in); got != want {
			t.Errorf("goodsName(%q) = %q, want %q", in, got, want)
		}
	}
}
