package qfpay

import (
	"testing"
	"time"

	"qrpos/payments"
)

func TestRecordOfKinds(t *testing.T) {
	g, err := New(Config{BaseURL: "http://127.0.0.1:1", AppCode: "A", ClientKey: "K"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		body string
		ok   bool
		kind payments.RecordKind
		st   payments.State
		rst  payments.RefundState
	}{
		{"paid", `{"syssn":"S","out_trade_no":"N","order_type":"payment","respcd":"0000","cancel":"0","txamt":"100","txcurrcd":"HKD"}`, true, payments.RecordSale, payments.Paid, ""},
		{"no order_type", `{"syssn":"S","out_trade_no":"N","respcd":"1143","txamt":"100","txcurrcd":"HKD"}`, true, payments.RecordSale, payments.Pending, ""},
		{"partly refunded", `{"syssn":"S","out_trade_no":"N","respcd":"0000","cancel":"5","txamt":100,"txcurrcd":"HKD"}`, true, payments.RecordSale, payments.PartlyRefunded, ""},
		{"unknown cancel flag", `{"syssn":"S","out_trade_no":"N","respcd":"0000","cancel":"9","txamt":"100","txcurrcd":"HKD"}`, true, payments.RecordSale, payments.Unknown, ""},
		{"refund", `{"syssn":"R","out_trade_no":"RN","order_type":"refund","origssn":"S","respcd":"0000","txamt":"40","txcurrcd":"HKD"}`, true, payments.RecordRefund, "", payments.RefundDone},
		{"refund by origssn only", `{"syssn":"R","out_trade_no":"RN","origssn":"S","respcd":"1145","txamt":"40","txcurrcd":"HKD"}`, true, payments.RecordRefund, "", payments.RefundPending},
		{"neither", `{"syssn":"X","out_trade_no":"N","order_type":"reversal","respcd":"0000","txamt":"100","txcurrcd":"HKD"}`, false, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := parseResponse([]byte(`{"respcd":"0000","data":[` + c.body + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			r, ok, err := g.recordOf(&resp.Data[0])
			if err != nil || ok != c.ok {
				t.Fatalf("ok %v err %v", ok, err)
			}
			if ok && (r.Kind != c.kind || r.State != c.st || r.RefundState != c.rst || r.Provider != payments.QFPay) {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestMonthSpans(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, hongKong) }
	got := monthSpans(at(2026, 12, 31, 22).Add(500*time.Millisecond), at(2027, 1, 1, 2))
	if len(got) != 2 || !got[0][0].Equal(at(2026, 12, 31, 22)) || !got[0][1].Equal(at(2027, 1, 1, 0)) ||
		!got[1][0].Equal(at(2027, 1, 1, 0)) || !got[1][1].Equal(at(2027, 1, 1, 2)) {
		t.Errorf("across a new year: %v", got)
	}
	if got := monthSpans(at(2026, 3, 1, 0), at(2026, 3, 1, 0)); len(got) != 0 {
		t.Errorf("an empty span: %v", got)
	}
	if got := monthSpans(at(2026, 3, 1, 0), at(2026, 4, 1, 0)); len(got) != 1 {
		t.Errorf("a whole month is one span: %v", got)
	}
}

// FuzzRecordsPage feeds any answer body to the enquiry's reading: it never
// panics, and a record it accepts is a sale or a refund with an amount
// that is a count of minor units.
func FuzzRecordsPage(f *testing.F) {
	f.Add([]byte(`{"respcd":"0000","page":"1","page_size":"100","data":[{"syssn":"S","out_trade_no":"N","order_type":"payment","respcd":"0000","cancel":"0","txamt":"100","txcurrcd":"HKD","sysdtm":"2026-03-10 10:00:00","udid":"T001"}]}`))
	f.Add([]byte(`{"respcd":"0000","data":[{"syssn":"R","order_type":"refund","origssn":"S","respcd":"0000","txamt":40}]}`))
	f.Add([]byte(`{"respcd":"0000","page_size":"-3","data":[{"cancel":"x","txamt":"-1"}]}`))
	f.Add([]byte(`{"respcd":"1104"}`))
	g, err := New(Config{BaseURL: "http://127.0.0.1:1", AppCode: "A", ClientKey: "K"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := parseResponse(body)
		if err != nil {
			return
		}
		if n := pageSizeOf(resp); n < 1 || n > RecordsPageSize {
			t.Fatalf("page size %d", n)
		}
		for i := range resp.Data {
			r, ok, err := g.recordOf(&resp.Data[i])
			if err != nil || !ok {
				continue
			}
			if r.Kind != payments.RecordSale && r.Kind != payments.RecordRefund || r.Amount.Minor < 0 {
				t.Fatalf("record %+v", r)
			}
			if (r.Kind == payments.RecordSale) != (r.State != "") {
				t.Fatalf("a sale without a state, or a refund with one: %+v", r)
			}
		}
	})
}
