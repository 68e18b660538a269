package eftpay

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"qrpos/payments"
)

const fuzzSecret = "testsignkey1234"

func signedSeed(f map[string]string) []byte {
	f["sign"] = Sign(fuzzSecret, f)
	return EncodeObject(f)
}

// FuzzParseResponse: any answer either parses into a Response whose
// signature holds (or an unsigned negative status), or is refused with an
// error that makes the outcome unknown. It never panics, and nothing
// unverified with a status >= 00 is ever believed.
func FuzzParseResponse(f *testing.F) {
	f.Add(signedSeed(map[string]string{"return_status": "00", "return_char": "", "time": "20240101120000", "trade_status": "TRADE_SUCCESS"}))
	f.Add(signedSeed(map[string]string{"return_status": "03", "time": "20240101120000"}))
	f.Add([]byte(`{"return_status":"-22","return_char":"amount"}`))
	f.Add([]byte(`{"return_status":0,"transaction_amount":0.10,"sign":"00"}`))
	f.Add([]byte(`{"return_status":"00"}`))
	f.Add([]byte(`<html>502</html>`))
	f.Add([]byte(`{"a":{"b":[1,null,true]},"return_status":"-1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &Client{cfg: Config{Secret: fuzzSecret}}
		resp, err := c.parse("query", "N1", body)
		if err != nil {
			var pe *payments.ProviderError
			if !errors.As(err, &pe) && !errors.Is(err, payments.ErrOutcomeUnknown) {
				t.Fatalf("error is neither a refusal nor unknown: %v", err)
			}
			return
		}
		if resp.Status != StatusOK || !Verify(fuzzSecret, resp.Fields) {
			t.Fatalf("believed an answer that is not a verified 00: %q", body)
		}
	})
}

// FuzzNotification: the handler answers every body with 200, 400 or 401
// and a signed acknowledgement, and calls the engine only for a body that
// verifies.
func FuzzNotification(f *testing.F) {
	f.Add(signedSeed(map[string]string{"out_trade_no": "N1", "trade_status": "TRADE_SUCCESS", "total_fee": "0.02", "time": "20240101120000"}))
	f.Add(signedSeed(map[string]string{"out_trade_no": "N1", "trade_type": "REFUND", "refund_no": "R1", "return_amount": "0.01", "trade_status": "TRADE_REFUND", "time": "20240101120000"}))
	f.Add(signedSeed(map[string]string{"out_trade_no": "N1", "total_fee": "1e3", "currency": "JPY"}))
	f.Add(signedSeed(map[string]string{"out_trade_no": "N1", "total_fee": "8.80", "payment_type": "ALIPAYCN", "tid": "T9", "currency": "XYZ"}))
	f.Add(signedSeed(map[string]string{"out_trade_no": "N1", "total_fee": "8.80", "paytype": "PAYME"}))
	f.Add([]byte(`{"out_trade_no":"N1","trade_status":"TRADE_SUCCESS"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		called := false
		h := NewNotificationHandler(Config{Secret: fuzzSecret, Logger: discard()}, func(_ context.Context, n payments.Notification) error {
			called = true
			fields, _ := DecodeObject(body)
			if n.OutTradeNo == "" || !bytes.Equal(n.Raw, body) || n.TID != fields["tid"] ||
				(fields["payment_type"] != "" && n.MethodCode != fields["payment_type"]) {
				t.Fatalf("delivered %+v", n)
			}
			if cur := fields["currency"]; cur == "" && fields["fee_type"] == "" && n.Amount.Currency != "" {
				t.Fatalf("currency %q made up", n.Amount.Currency)
			}
			return nil
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body)))
		ack, err := DecodeObject(rec.Body.Bytes())
		if err != nil || !Verify(fuzzSecret, ack) {
			t.Fatalf("acknowledgement %q does not verify", rec.Body.Bytes())
		}
		fields, derr := DecodeObject(body)
		verified := derr == nil && Verify(fuzzSecret, fields) && len(body) <= MaxNotification
		switch rec.Code {
		case http.StatusOK:
			if !verified || !called || ack["return_code"] != AckSuccess {
				t.Fatalf("200 for %q (verified %v, called %v)", body, verified, called)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
			if called || ack["return_code"] != AckFalse {
				t.Fatalf("refused %q yet called %v", body, called)
			}
		default:
			t.Fatalf("HTTP %d", rec.Code)
		}
	})
}
