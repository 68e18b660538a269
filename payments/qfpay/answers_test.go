package qfpay_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

// TestUntrustworthyAnswers: answers a real QFPay should never give, from a
// scripted server on loopback, all end as an unknown outcome.
func TestUntrustworthyAnswers(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		method string
	}{
		{"acceptance about another order", 200, `{"respcd":"0000","out_trade_no":"SOMEONE-ELSE","qrcode":"x"}`, "800101"},
		{"acceptance of another amount", 200, `{"respcd":"0000","txamt":"1","qrcode":"x"}`, "800101"},
		{"MPM accepted without a QR", 200, `{"respcd":"0000"}`, "800101"},
		{"HTML error page", 404, `<html>not found</html>`, "800101"},
		{"redirect", 302, ``, "800101"},
		{"empty 200", 200, ``, "800108"},
		{"too large", 200, `{"respcd":"0000","x":"` + strings.Repeat("a", 1<<20) + `"}`, "800108"},
		{"system error", 200, `{"respcd":"1254"}`, "800108"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.status == 302 {
					http.Redirect(w, r, "/elsewhere", http.StatusFound)
					return
				}
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			gw, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			res, err := gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: "A1", Method: method(t, c.method), Amount: hkd(100), AuthCode: "1234"})
			if res.State != payments.Unknown || !errors.Is(err, payments.ErrOutcomeUnknown) {
				t.Errorf("%+v %v", res, err)
			}
		})
	}

	// A refusal echoing another order (a duplicate's first one) stays a
	// refusal, and an HTTP 4xx carrying a QFPay answer is read as one.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"respcd":"1102","out_trade_no":"FIRST","txamt":"999"}`))
	}))
	defer srv.Close()
	gw, _ := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", Logger: quiet})
	res, err := gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: "A1", Method: method(t, "800101"), Amount: hkd(100)})
	if res.State != payments.Failed || !payments.IsKind(err, payments.KindDuplicate) {
		t.Errorf("duplicate refusal: %+v %v", res, err)
	}
}
