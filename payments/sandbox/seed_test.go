package sandbox

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// TestSeedEndpoint: POST /sandbox/seed puts a stranger's order under a
// number; the terminal's first payment under it is refused as a duplicate
// (QFPay 1102, eftPay 03) and a query answers the stranger's record.
func TestSeedEndpoint(t *testing.T) {
	s, c := newQFPaySandbox(t, Config{})
	seed := func(contentType, body string) (int, string) {
		resp, err := http.Post(c.url+"/sandbox/seed", contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := seed("application/json", `{"provider":"qfpay","out_trade_no":"Q1","method":"800201","amount":"999.00","paid":true,"tid":"T999"}`); code != http.StatusOK {
		t.Fatalf("seed QFPay: %d %s", code, body)
	}
	form := url.Values{"provider": {"eftpay"}, "out_trade_no": {"E1"}, "method": {"ALIPAYHK"}, "amount": {"5.00"}, "tid": {"T999"}}
	if code, body := seed("application/x-www-form-urlencoded", form.Encode()); code != http.StatusOK {
		t.Fatalf("seed eftPay: %d %s", code, body)
	}
	for name, body := range map[string]string{
		"number used":      `{"provider":"qfpay","out_trade_no":"Q1","method":"800201","amount":"1.00"}`,
		"unknown provider": `{"provider":"visa","out_trade_no":"Q2","method":"800201","amount":"1.00"}`,
		"unknown method":   `{"provider":"qfpay","out_trade_no":"Q2","method":"801107","amount":"1.00"}`,
		"no number":        `{"provider":"qfpay","method":"800201","amount":"1.00"}`,
		"bad amount":       `{"provider":"qfpay","out_trade_no":"Q2","method":"800201","amount":"1.001"}`,
		"eftPay in USD":    `{"provider":"eftpay","out_trade_no":"E2","method":"ALIPAYHK","amount":"1.00","currency":"USD"}`,
	} {
		if code, _ := seed("application/json", body); code != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", name, code)
		}
	}
	if o, ok := s.Order("Q1"); !ok || !o.Paid || o.Amount != "999.00" || o.Method != "800201" {
		t.Errorf("seeded QFPay order: %+v", o)
	}
	if o, ok := s.Order("E1"); !ok || o.Paid || o.State != eftpay.TradeWaiting {
		t.Errorf("seeded eftPay order: %+v", o)
	}

	// The terminal's first send of the stranger's number.
	p := qfMPMForm("Q1")
	if got := c.respcd("/trade/v1/payment", p); got != "1102" {
		t.Errorf("payment under a seeded number: %s", got)
	}
	_, out := c.call(http.MethodPost, "/trade/v1/query", url.Values{"out_trade_no": {"Q1"}}, "")
	rec := out["data"].([]any)[0].(map[string]any)
	if rec["txamt"] != "99900" || rec["pay_type"] != "800201" || rec["udid"] != "T999" || rec["respcd"] != "0000" ||
		rec["txcurrcd"] != "HKD" || rec["cash_fee"] != "91269" || rec["cash_fee_type"] != "CNY" || rec["exchange_rate"] != QFPayCNYRate {
		t.Errorf("the stranger's record: %v", rec)
	}

	// eftPay: 03 on the first pre-order, and the query answers the
	// stranger's record.
	e := newEftWire(t)
	if err := e.s.SeedOrder(payments.Eftpay, "E9", "ALIPAYHK", payments.Money{Minor: 99900, Currency: "HKD"}, true, "T999"); err != nil {
		t.Fatal(err)
	}
	alipay := eftMethod(t, "ALIPAYHK")
	checkAnswer(t, "pre-order under a seeded number", e.call(e.preOrder(alipay, "E9", "12.30")), "03")
	ans := e.call(e.query(alipay, "E9"))
	if ans["trade_status"] != eftpay.TradeSuccess || ans["transaction_amount"] != "999.00" || ans["tid"] != "T999" ||
		ans["payment_type"] != "ALIPAYHK" || ans["currency"] != "HKD" || ans["out_trade_no"] != "E9" {
		t.Errorf("the stranger's eftPay record: %v", ans)
	}
}

// FuzzSeedEndpoint: whatever body reaches /sandbox/seed, the answer is 200
// with the order made, or 400 with nothing made; it never panics.
func FuzzSeedEndpoint(f *testing.F) {
	f.Add(true, `{"provider":"qfpay","out_trade_no":"Q1","method":"800201","amount":"999.00","paid":true,"tid":"T9"}`)
	f.Add(true, `{"provider":"eftpay","out_trade_no":"E1","method":"PAYME","amount":"0.81"}`)
	f.Add(false, "provider=qfpay&out_trade_no=Q2&method=800008&amount=1&currency=jpy&paid=1")
	f.Add(false, "provider=eftpay&out_trade_no=&method=ALIPAYHK&amount=1.00&paid=maybe")
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, asJSON bool, body string) {
		before := len(s.Orders())
		req := httptest.NewRequest(http.MethodPost, "/sandbox/seed", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if asJSON {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		after := len(s.Orders())
		switch rec.Code {
		case http.StatusOK:
			if after != before+1 {
				t.Fatalf("200 but %d orders made", after-before)
			}
		case http.StatusBadRequest:
			if after != before {
				t.Fatalf("400 but an order was made")
			}
		default:
			t.Fatalf("HTTP %d", rec.Code)
		}
	})
}
