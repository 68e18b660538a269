package qfpay

import (
	"errors"
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
	for _, c := range Codes() {
		if _, ok := codeKinds[c]; !ok && c != CodeOK {
			t.Errorf("code %s of the table has no kind", c)
		}
	}
	for c := range recordOutcomes {
		if Message(c) == "" {
			t.Errorf("record outcome for %s, a code not in QFPay's table", c)
		}
	}
}

// TestOutcomeUnknownEveryCode: over every respcd of QFPay's table (and one
// it does not have), exactly QFPay busy or failing and the unknown code
// leave a call's outcome unknown; every other refusal is a plain, final
// *payments.ProviderError of its kind.
func TestOutcomeUnknownEveryCode(t *testing.T) {
	unknownOnes := map[string]bool{
		"1100": true, "1101": true, "1147": true, "1252": true, "1254": true,
		"1295": true, "1296": true, "1297": true, "1298": true,
		"9999": true, "12a4": true,
	}
	for _, code := range append(Codes(), "9999", "12a4") {
		if code == CodeOK || isPending(code) {
			continue // not refusals: the callers branch on them first
		}
		err := refusal("pay", "N1", &record{RespCd: flexString(code), RespErr: "QFPay's words"})
		var pe *payments.ProviderError
		if !errors.As(err, &pe) || pe.Code != code || pe.Kind != KindOf(code) || pe.Message == "" {
			t.Errorf("%s: %v is not a complete *payments.ProviderError", code, err)
			continue
		}
		if got := errors.Is(err, payments.ErrOutcomeUnknown); got != unknownOnes[code] {
			t.Errorf("%s (%s): outcome unknown = %v, want %v", code, pe.Kind, got, unknownOnes[code])
		}
	}
}

// TestRecordOutcomesEveryCode: what a query record's respcd makes of a sale
// and of a refund, for every code of QFPay's table and two it does not
// have. Unknown is never Failed.
func TestRecordOutcomesEveryCode(t *testing.T) {
	sale := map[payments.State][]string{
		payments.Paid:    {"0000"},
		payments.Pending: {"1143", "1145"},
		payments.Expired: {"1181"},
		payments.Closed:  {"1142", "1263", "1264"},
		payments.Failed: {"1201", "1202", "1204", "1205", "1212", "1294", "2005",
			"1103", "1104", "1105", "1106", "1107", "1108", "1203", "1241", "1242", "1243", "1250", "1251"},
	}
	refundFailed := map[string]bool{"1125": true, "1136": true, "1155": true, "1261": true, "1262": true, "1265": true,
		"1266": true, "1267": true, "1268": true, "1269": true, "1270": true, "1271": true, "1272": true}
	want := map[string]payments.State{}
	for st, codes := range sale {
		for _, c := range codes {
			want[c] = st
		}
	}
	for _, code := range append(Codes(), "9999", "") {
		ws, ok := want[code]
		if !ok {
			ws = payments.Unknown
		}
		if got, _ := saleState(code, CancelNone); got != ws {
			t.Errorf("sale record %q: %s, want %s", code, got, ws)
		}
		var wr payments.RefundState
		switch {
		case ws == payments.Paid:
			wr = payments.RefundDone
		case ws == payments.Pending:
			wr = payments.RefundPending
		case ws == payments.Failed || ws == payments.Closed || refundFailed[code]:
			wr = payments.RefundFailed
		default:
			wr = payments.RefundUnknown
		}
		if got := refundState(code); got != wr {
			t.Errorf("refund record %q: %s, want %s", code, got, wr)
		}
	}
	for _, busy := range []string{"1100", "1101", "1252", "1254", "1295", "1296", "1297", "1298"} {
		if st, _ := saleState(busy, CancelNone); st != payments.Unknown || refundState(busy) != payments.RefundUnknown {
			t.Errorf("busy or system code %s is final: %s %s", busy, st, refundState(busy))
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
		"1205": payments.KindDeclined, "1294": payments.KindDeclined, "1204": payments.KindDeclined, "1250": payments.KindDeclined,
		"1147": payments.KindSystem, "1101": payments.KindSystem, "9999": payments.KindSystem, "": payments.KindSystem,
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
		{"1298", 0, payments.Unknown, true},
		{"9999", 0, payments.Unknown, true},
		{"1263", 1, payments.Closed, true},
		{"1264", 2, payments.Closed, true},
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
		"1145": payments.RefundPending, "1272": payments.RefundFailed, "1297": payments.RefundUnknown, "9999": payments.RefundUnknown} {
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
