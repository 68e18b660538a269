package eftpay

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"qrpos/payments"
)

// The handler remembers a bounded number of deliveries: the oldest is
// forgotten first, and a forgotten one is delivered again if it comes back.
func TestNotificationMemoryIsBounded(t *testing.T) {
	const secret = "s"
	calls := map[string]int{}
	h := NewNotificationHandler(Config{Secret: secret, Logger: discard()}, func(_ context.Context, n payments.Notification) error {
		calls[n.OutTradeNo]++
		return nil
	})
	h.seen = payments.NewDeduper(2)
	send := func(no string) {
		f := map[string]string{"out_trade_no": no, "trade_status": TradeSuccess, "time": "20240101120000"}
		f["sign"] = Sign(secret, f)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(EncodeObject(f))))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: HTTP %d", no, rec.Code)
		}
	}
	for _, no := range []string{"A", "B", "C", "C", "B", "A"} {
		send(no)
	}
	if calls["A"] != 2 || calls["B"] != 1 || calls["C"] != 1 {
		t.Fatalf("calls %v: want A forgotten (2), B and C remembered (1)", calls)
	}
	if h.seen.Len() != 2 {
		t.Fatalf("%d remembered, want at most 2", h.seen.Len())
	}
}
