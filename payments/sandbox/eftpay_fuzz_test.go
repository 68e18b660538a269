package sandbox

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// FuzzEftpayRequest: whatever arrives, the eftPay half answers HTTP 200
// with a JSON object carrying an integer return_status, signed (and
// verifying) exactly when the status is not negative.
func FuzzEftpayRequest(f *testing.F) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, eftpay.HKT)
	seed := func(fields map[string]string) []byte {
		fields["sign"] = eftpay.Sign(DemoEftpaySecret, fields)
		return eftpay.EncodeObject(fields)
	}
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		f.Add(seed(map[string]string{"service": m.Services.PreOrder, "user_confirm_key": DemoEftpayUser,
			"transaction_amount": "0.45", "out_trade_no": "F" + m.Code, "paytype": m.PayType, "buyertype": "others",
			"payment_type": m.Code, "time": eftpay.FormatTime(now)}))
	}
	f.Add(seed(map[string]string{"service": "service.alipay.qrcode.Query", "user_confirm_key": DemoEftpayUser,
		"querytype": "OUT_TRADE", "out_trade_no": "FALIPAYHK", "refund_no": "R", "paytype": "Alipay", "buyertype": "others",
		"payment_type": "ALIPAYHK", "time": eftpay.FormatTime(now)}))
	f.Add([]byte(`{"user_confirm_key":"S0000001","sign":"` + strings.Repeat("a", 64) + `"}`))
	f.Add([]byte(`{"transaction_amount":1e400}`))
	f.Add([]byte("\x00\xff"))
	s := New(Config{Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/VMP"+eftpay.ServicePath, bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d", rec.Code)
		}
		ans, err := eftpay.DecodeObject(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("answer %q: %v", rec.Body.Bytes(), err)
		}
		code := ans["return_status"]
		if code == "" {
			t.Fatalf("no return_status in %v", ans)
		}
		_, signed := ans["sign"]
		if strings.HasPrefix(code, "-") == signed {
			t.Fatalf("return_status %s, signed %v", code, signed)
		}
		if signed && !eftpay.Verify(DemoEftpaySecret, ans) {
			t.Fatalf("answer %v does not verify", ans)
		}
	})
}
