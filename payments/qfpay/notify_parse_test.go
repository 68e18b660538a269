package qfpay

import (
	"encoding/json"
	"errors"
	"testing"

	"qrpos/payments"
)

func TestParseNotification(t *testing.T) {
	n, key, err := parseNotification(readAnswer(t, "notification_payment.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := payments.Money{Minor: 1230, Currency: "HKD"}
	if n.Provider != payments.QFPay || n.OutTradeNo != "T001240101000009" || n.State != payments.Paid || n.Amount != want ||
		n.ProviderRef != "20240101000200020000000009" || n.Refund || len(n.Raw) == 0 || key == "" || n.MethodCode != "800101" {
		t.Errorf("payment notification: %+v key %q", n, key)
	}

	// What it is about, exactly as it says: pay_type, udid, the currency
	// as given (even one the terminal does not charge in), the tourist's CNY.
	n, _, err = parseNotification([]byte(`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","pay_type":"800201",` +
		`"udid":"T009","txamt":"880","txcurrcd":"XXX","cash_fee":"804","cash_fee_type":"CNY","exchange_rate":"0.9136"}`))
	if err != nil || n.MethodCode != "800201" || n.TID != "T009" || n.Amount != (payments.Money{Minor: 880, Currency: "XXX"}) ||
		n.CashAmount != (payments.Money{Minor: 804, Currency: "CNY"}) || n.ExchangeRate != "0.9136" {
		t.Errorf("what the notification is about: %+v %v", n, err)
	}
	n, _, err = parseNotification([]byte(`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","txamt":"5"}`))
	if err != nil || n.Amount != (payments.Money{Minor: 5}) || n.MethodCode != "" || n.TID != "" {
		t.Errorf("no currency, pay_type or udid given: %+v %v", n, err)
	}

	n, key2, err := parseNotification([]byte(`{"notify_type":"refund","out_trade_no":"R1","syssn":"S2","respcd":"0000","txamt":"230","txcurrcd":"HKD","cancel":"0","origssn":"S1"}`))
	if err != nil || !n.Refund || n.RefundNo != "R1" || n.RefundState != payments.RefundDone || n.Amount.Minor != 230 || key2 == key {
		t.Errorf("refund notification: %+v %v", n, err)
	}

	for _, body := range []string{
		`{"notify_type":"payment","syssn":"S","respcd":"0000","txamt":"1","txcurrcd":"HKD"}`,                    // no out_trade_no
		`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","txamt":"x","txcurrcd":"HKD"}`, // bad amount
		`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","txcurrcd":"HKD"}`,             // no amount
		`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","txamt":"1","cash_fee":"1.5"}`, // bad cash_fee
		`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"0000","txamt":"1","txcurrcd":"HKD","cancel":"z"}`,
		`not json`, `{"notify_type":"payment"} trailing`,
	} {
		if _, _, err := parseNotification([]byte(body)); err == nil || errors.Is(err, errNotHandled) {
			t.Errorf("%s: err = %v", body, err)
		}
	}
	if _, _, err := parseNotification([]byte(`{"notify_type":"preauth","out_trade_no":"A"}`)); !errors.Is(err, errNotHandled) {
		t.Errorf("other notify_type: %v", err)
	}
}

// FuzzParseNotification: any verified body is handed over complete or
// refused with an error; it never panics.
func FuzzParseNotification(f *testing.F) {
	f.Add(readAnswer(f, "notification_payment.json"))
	f.Add([]byte(`{"notify_type":"refund","out_trade_no":"R1","syssn":"S2","respcd":"0000","txamt":230,"txcurrcd":"HKD","cancel":3}`))
	f.Add([]byte(`{"notify_type":"payment","out_trade_no":"A","syssn":"S","respcd":"1143","txamt":"1","txcurrcd":"JPY","cancel":"7"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, key, err := parseNotification(body)
		if err != nil {
			return
		}
		if key == "" || n.Provider != payments.QFPay || n.ProviderRef == "" || (n.OutTradeNo == "" && n.RefundNo == "") {
			t.Fatalf("incomplete notification accepted: %+v", n)
		}
		var rec record
		if json.Unmarshal(body, &rec) != nil || n.Amount.Minor < 0 || string(n.Amount.Currency) != rec.TxCurrCd.String() ||
			n.MethodCode != rec.PayType.String() || n.TID != rec.Udid.String() {
			t.Fatalf("not what the notification says: %+v", n)
		}
		if n.Refund == (n.RefundState == "") || !n.Refund == (n.State == "") {
			t.Fatalf("state missing: %+v", n)
		}
	})
}
