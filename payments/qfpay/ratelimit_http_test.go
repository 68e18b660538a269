package qfpay_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// mostInWindow is the largest number of arrivals in any span shorter than d.
func mostInWindow(hits []hit, d time.Duration) int {
	ts := make([]time.Time, len(hits))
	for i, h := range hits {
		ts[i] = h.at
	}
	return qfpay.MaxInWindow(ts, d)
}

// TestRateLimiterPerSecond: 12 concurrent calls through two gateways of the
// same merchant (one limiter for the process) arrive at most 4 in any
// second, and the sandbox, limited to 4 a second too, never answers 429.
func TestRateLimiterPerSecond(t *testing.T) {
	e := newEnv(t, sandbox.Config{QFPayRatePerSecond: 4, QFPayRatePerMinute: 1000},
		qfpay.Config{RatePerSecond: 4, RatePerMinute: 1000})
	other, err := qfpay.New(qfpay.Config{BaseURL: e.url, AppCode: e.app, ClientKey: e.key,
		RatePerSecond: 4, RatePerMinute: 1000, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 12 {
		gw := e.gw
		if i%2 == 1 {
			gw = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: orderNo()})
			if !payments.IsKind(err, payments.KindNotFound) {
				t.Errorf("query: %v", err)
			}
		}()
	}
	wg.Wait()
	hits := e.hits.list()
	if len(hits) != 12 || e.hits.count(http.StatusTooManyRequests) != 0 {
		t.Errorf("%d calls arrived, %d refused with 429", len(hits), e.hits.count(http.StatusTooManyRequests))
	}
	if n := mostInWindow(hits, time.Second); n > 4 {
		t.Errorf("%d calls within one second, limit 4", n)
	}
}

// TestRateLimiterPerMinute: with 5 calls a minute allowed, the sixth waits;
// a caller whose deadline comes first gives up without sending.
func TestRateLimiterPerMinute(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{RatePerSecond: 100, RatePerMinute: 5})
	for range 5 {
		if _, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: orderNo()}); !payments.IsKind(err, payments.KindNotFound) {
			t.Fatal(err)
		}
	}
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.gw.Query(c, payments.QueryRequest{OutTradeNo: orderNo()})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("sixth call in a minute: %v", err)
	}
	if time.Since(start) > 250*time.Millisecond {
		t.Errorf("a call that cannot fit before its deadline waited %v", time.Since(start))
	}
	if n := len(e.hits.list()); n != 5 {
		t.Errorf("%d calls arrived, limit 5 a minute", n)
	}
}
