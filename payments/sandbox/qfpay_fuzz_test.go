package sandbox

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"qrpos/payments/qfpay"
)

// FuzzQFPayEndpoints feeds any form to every QFPay endpoint (signed, so
// that it gets past the signature): the sandbox never panics and always
// answers a JSON object with a respcd.
func FuzzQFPayEndpoints(f *testing.F) {
	now := qfpay.WireTime(time.Now())
	f.Add(uint8(0), "txamt=100&txcurrcd=HKD&pay_type=800101&out_trade_no=A&txdtm="+url.QueryEscape(now))
	f.Add(uint8(0), "txamt=100&txcurrcd=HKD&pay_type=800008&out_trade_no=B&auth_code=1343&txdtm="+url.QueryEscape(now))
	f.Add(uint8(1), "out_trade_no=A,B&page=2&page_size=1")
	f.Add(uint8(2), "syssn=1&out_trade_no=R&txamt=1&txdtm="+url.QueryEscape(now))
	f.Add(uint8(3), "out_trade_no=A&txamt=100&txdtm="+url.QueryEscape(now))
	f.Add(uint8(3), "syssn=x&out_trade_no=B&txamt=100&txdtm="+url.QueryEscape(now))
	f.Add(uint8(4), "out_trade_no=B&txamt=100&txdtm="+url.QueryEscape(now))
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), QFPayRatePerSecond: 1 << 30, QFPayRatePerMinute: 1 << 30})
	defer s.Close()
	var h *qfpayHalf
	for _, hh := range s.halves {
		if q, ok := hh.(*qfpayHalf); ok {
			h = q
		}
	}
	if h == nil {
		f.Fatal("no QFPay half registered")
	}
	ops := []func(qfCall) qfAnswer{h.payment, h.query, h.refund, h.cancel(qfpay.PathClose), h.cancel(qfpay.PathReversal)}
	f.Fuzz(func(t *testing.T, op uint8, form string) {
		p, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		ans := ops[int(op)%len(ops)](qfCall{p: p, signType: qfpay.SignMD5, now: time.Now()})
		b, err := json.Marshal(ans.fields)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if code, _ := out["respcd"].(string); len(code) != 4 {
			t.Fatalf("answer without respcd: %s", b)
		}
	})
}
