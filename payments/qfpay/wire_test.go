package qfpay

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"qrpos/payments"
)

func readAnswer(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "answers", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseResponseRecorded(t *testing.T) {
	r, err := parseResponse(readAnswer(t, "payment_mpm_seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.RespCd != "0000" || r.QRCode != "https://qr.alipay.com/bax01781r3pu4fjaqazt4091" || r.Syssn != "20191225000200020060996533" || r.TxAmt != "10" {
		t.Errorf("seed answer read wrong: %+v", r.record)
	}

	r, err = parseResponse(readAnswer(t, "query_numbers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Data) != 2 || r.Page != "1" {
		t.Fatalf("query read wrong: %+v", r)
	}
	sale := pickRecord(r.Data, payments.QueryRequest{OutTradeNo: "T001240101000001"})
	if sale == nil || sale.TxAmt != "1230" || sale.Cancel != "5" || sale.PayType != "800108" {
		t.Errorf("numbers not read as strings: %+v", sale)
	}
	if st, ok := saleState(sale.RespCd.String(), 5); !ok || st != payments.PartlyRefunded {
		t.Errorf("state %s", st)
	}
	if rf := pickRecord(r.Data, payments.QueryRequest{OutTradeNo: "T001240101000001", RefundNo: "T001240101000002"}); rf == nil || rf.origSyssn() != sale.Syssn.String() || rf.ErrMsg != "" {
		t.Errorf("refund record: %+v", rf)
	}
	if got := pickRecord(r.Data, payments.QueryRequest{OutTradeNo: "T001240101000002"}); got != nil {
		t.Error("a refund record was taken for a sale")
	}
	if got := pickRecord(r.Data, payments.QueryRequest{ProviderRef: "20240101000200020000000001"}); got != sale {
		t.Error("sale not found by syssn")
	}

	r, err = parseResponse(readAnswer(t, "unknown_code.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pe *payments.ProviderError
	if err := refusal("pay", "X", &r.record); !errors.As(err, &pe) || !errors.Is(err, payments.ErrOutcomeUnknown) ||
		pe.Kind != payments.KindSystem || pe.Message != "Something new: details" {
		t.Errorf("unknown code: %v", err)
	}

	// A record's amount is what it says: no currency given, none reported.
	for _, c := range []struct {
		txamt, cur string
		want       payments.Money
		bad        bool
	}{
		{"1230", "HKD", payments.Money{Minor: 1230, Currency: "HKD"}, false},
		{"1230", "", payments.Money{Minor: 1230}, false},
		{"", "HKD", payments.Money{Currency: "HKD"}, false},
		{"", "", payments.Money{}, false},
		{"5", "XYZ", payments.Money{Minor: 5, Currency: "XYZ"}, false},
		{"12.30", "HKD", payments.Money{}, true},
		{"-1", "HKD", payments.Money{}, true},
	} {
		got, err := (&record{TxAmt: flexString(c.txamt), TxCurrCd: flexString(c.cur)}).amount()
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("txamt %q txcurrcd %q: %+v %v", c.txamt, c.cur, got, err)
		}
	}
}

func TestParseResponseRejects(t *testing.T) {
	for _, body := range []string{
		``, `null`, `[]`, `"0000"`, `{}`, `{"respcd": ""}`, `{"respcd": {"a": 1}}`, `{"respcd":"0000"} {"respcd":"0000"}`,
		`<html>502</html>`, `{"respcd":"0000","data":{"x":1}}`, `{"respcd":"00`,
	} {
		if _, err := parseResponse([]byte(body)); !errors.Is(err, errUnparsable) {
			t.Errorf("%q: err = %v, want unparsable", body, err)
		}
	}
	r, err := parseResponse([]byte(`{"respcd": 1143, "txamt": 10, "cancel": null, "extra": [1,{"b":2}]}`))
	if err != nil || r.RespCd != "1143" || r.TxAmt != "10" || r.Cancel != "" {
		t.Errorf("tolerant parse: %+v %v", r, err)
	}
}

// FuzzParseResponse: any body either parses into a respcd or is refused as
// unparsable; it never panics, and a parsed answer's records can be read.
func FuzzParseResponse(f *testing.F) {
	for _, name := range []string{"payment_mpm_seed.json", "query_numbers.json", "refused_1202.json", "unknown_code.json"} {
		f.Add(readAnswer(f, name))
	}
	f.Add([]byte(`{"respcd":1143,"txamt":1e3}`))
	f.Add([]byte(`{"respcd":"0000","data":[{"cancel":"-1"},{"cancel":99999999999999999999}]}`))
	f.Add([]byte(`{"respcd":"0000","data":[{"respcd":"1297","txamt":"880","cash_fee":"804","cash_fee_type":"CNY","exchange_rate":"0.9136"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseResponse(body)
		if err != nil {
			if !errors.Is(err, errUnparsable) {
				t.Fatalf("error does not say unparsable: %v", err)
			}
			return
		}
		if r.RespCd.String() == "" {
			t.Fatal("parsed without respcd")
		}
		for i := range r.Data {
			rec := &r.Data[i]
			if c, err := parseCancel(rec.Cancel.String()); err == nil {
				if st, _ := saleState(rec.RespCd.String(), c); st == payments.Failed && recordOutcomes[rec.RespCd.String()].sale != payments.Failed {
					t.Fatalf("record %q failed without a refusal code", rec.RespCd)
				}
			}
			if rs := refundState(rec.RespCd.String()); rs == "" {
				t.Fatal("refund state empty")
			}
			if m, err := rec.amount(); err == nil && (m.Minor < 0 || string(m.Currency) != rec.TxCurrCd.String()) {
				t.Fatalf("amount %+v from txamt %q txcurrcd %q", m, rec.TxAmt, rec.TxCurrCd)
			}
			if m, err := rec.cashAmount(false); err == nil && m.Minor < 0 {
				t.Fatalf("cash amount %+v", m)
			}
		}
		_ = refusal("query", "X", &r.record)
	})
}
