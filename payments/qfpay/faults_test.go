package qfpay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// TestFaults: every way the sandbox misbehaves gives an unknown outcome,
// never a failed payment, and a query afterwards tells the truth.
func TestFaults(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{Timeout: 300 * time.Millisecond})
	cpm, mpm := method(t, "800208"), method(t, "800101")
	cases := []struct {
		fault sandbox.Fault
		req   payments.PayRequest
		after payments.State // the query's answer; "" = not found (never made)
	}{
		{sandbox.Fault{Kind: sandbox.FaultLatency, Latency: time.Second}, payments.PayRequest{Method: mpm}, payments.Pending},
		{sandbox.Fault{Kind: sandbox.FaultDrop}, payments.PayRequest{Method: cpm, AuthCode: "130000000000000010"}, payments.Paid},
		{sandbox.Fault{Kind: sandbox.Fault5xx}, payments.PayRequest{Method: cpm, AuthCode: "130000000000000110"}, ""},
		{sandbox.Fault{Kind: sandbox.FaultBadSignature}, payments.PayRequest{Method: mpm}, payments.Pending},
	}
	for _, c := range cases {
		t.Run(string(c.fault.Kind), func(t *testing.T) {
			c.fault.Provider, c.fault.Count = "qfpay", 1
			if err := e.sb.InjectFault(c.fault); err != nil {
				t.Fatal(err)
			}
			r := c.req
			r.OutTradeNo, r.Amount = orderNo(), hkd(4200)
			res, err := e.gw.Pay(ctx(t), r)
			if !errors.Is(err, payments.ErrOutcomeUnknown) || res.State != payments.Unknown {
				t.Fatalf("pay under %s: %+v %v", c.fault.Kind, res, err)
			}
			var pe *payments.ProviderError
			if errors.As(err, &pe) {
				t.Fatalf("a fault became a provider refusal: %v", err)
			}
			if c.after == "" {
				_, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: r.OutTradeNo})
				if !payments.IsKind(err, payments.KindNotFound) {
					t.Fatalf("after 5xx the order exists: %v", err)
				}
				return
			}
			// The latency fault processes the call after its pause.
			eventually(t, "the order is known", func() bool {
				q, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: r.OutTradeNo})
				return err == nil && q.State == c.after
			})
		})
	}

	// The other calls too: a dropped refund is unknown, then done.
	no := orderNo()
	p, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: cpm, Amount: hkd(100), AuthCode: "130000000000000210"})
	if err != nil {
		t.Fatal(err)
	}
	e.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultDrop, Provider: "qfpay", Count: 1})
	rno := orderNo()
	rr, err := e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: no, RefundNo: rno, Method: cpm, Amount: hkd(100), ProviderRef: p.ProviderRef})
	if rr.State != payments.RefundUnknown || !errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("dropped refund: %+v %v", rr, err)
	}
	q, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no, RefundNo: rno})
	if err != nil || q.RefundState != payments.RefundDone {
		t.Fatalf("refund after the drop: %+v %v", q, err)
	}
	e.sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "qfpay", Count: 1})
	if q, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no}); q.State != payments.Unknown || !errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("query under 5xx: %+v %v", q, err)
	}
	e.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultBadSignature, Provider: "qfpay", Count: 1})
	if c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: cpm, Amount: hkd(100)}); c.State != payments.Unknown || !errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("close with a garbage answer: %+v %v", c, err)
	}
}

// Test429Retried: the sandbox allows 2 calls a second and the client does
// not pace itself (high limits): every 429 is waited out and sent again,
// and every payment ends as it should.
func Test429Retried(t *testing.T) {
	e := newEnv(t, sandbox.Config{QFPayRatePerSecond: 2, QFPayRatePerMinute: 1000},
		qfpay.Config{RatePerSecond: 1000, RatePerMinute: 100000})
	m := method(t, "800201")
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: orderNo(), Method: m, Amount: hkd(100)})
			if err != nil || res.State != payments.Pending {
				t.Errorf("pay through 429s: %+v %v", res, err)
			}
		}()
	}
	wg.Wait()
	if n := e.hits.count(http.StatusTooManyRequests); n == 0 {
		t.Error("the sandbox never answered 429: the test proves nothing")
	}
	if n := e.hits.count(http.StatusOK); n != 6 {
		t.Errorf("%d payments answered, want 6", n)
	}
	if n := len(e.sb.Orders()); n != 6 {
		t.Errorf("%d orders made, want 6", n)
	}
}

// TestPersistent429 ends in an unknown outcome of kind rate_limited, never
// a failed payment; a context ending during the pause means nothing was
// processed.
func TestPersistent429(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	gw, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", MaxRateLimitRetries: 3, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	res, err := gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: "A1", Method: method(t, "800201"), Amount: hkd(1)})
	if res.State != payments.Unknown || !errors.Is(err, payments.ErrOutcomeUnknown) || !payments.IsKind(err, payments.KindRateLimited) {
		t.Fatalf("persistent 429: %+v %v", res, err)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d tries, want 1 + 3 retries", n)
	}

	gw, _ = qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", RateLimitPause: time.Hour, Logger: quiet})
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	c, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err = gw.Pay(c, payments.PayRequest{OutTradeNo: "A2", Method: method(t, "800201"), Amount: hkd(1)})
	if res.State != payments.Created || errors.Is(err, payments.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("context ended during the 429 pause: %+v %v", res, err)
	}
}
