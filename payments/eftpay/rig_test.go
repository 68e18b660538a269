package eftpay_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/sandbox"
)

// clock is a hand-moved clock shared by the sandbox and the client, so that
// expiry can be tested without waiting and the two agree on the time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is a real sandbox on a loopback port, a gateway talking to it over
// HTTP, and a record of every request body the sandbox received.
type rig struct {
	t     testing.TB
	clock *clock
	sb    *sandbox.Server
	srv   *httptest.Server
	gw    *eftpay.Gateway

	mu        sync.Mutex
	recordOff bool // benchmarks measure the call, not the recording
	requests  []map[string]string
	seq       int
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRig(t testing.TB) *rig {
	r := &rig{t: t, clock: &clock{t: time.Date(2024, 5, 1, 10, 0, 0, 0, eftpay.HKT)}}
	r.sb = sandbox.New(sandbox.Config{
		Now:         r.clock.Now,
		Logger:      quietLogger(),
		NotifyRetry: []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 160 * time.Millisecond, 320 * time.Millisecond},
	})
	r.srv = httptest.NewServer(http.HandlerFunc(r.record))
	t.Cleanup(func() {
		r.srv.Close()
		r.sb.Close()
	})
	r.gw = r.gateway(nil)
	return r
}

// record keeps a copy of each eftPay request before the sandbox serves it.
func (r *rig) record(w http.ResponseWriter, req *http.Request) {
	if !r.recordOff && strings.HasSuffix(req.URL.Path, eftpay.ServicePath) {
		body, _ := io.ReadAll(req.Body)
		if f, err := eftpay.DecodeObject(body); err == nil {
			r.mu.Lock()
			r.requests = append(r.requests, f)
			r.mu.Unlock()
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.sb.Handler().ServeHTTP(w, req)
}

func (r *rig) config() eftpay.Config {
	return eftpay.Config{
		BaseURL:        r.srv.URL + "/VMP",
		UserConfirmKey: sandbox.DemoEftpayUser,
		Secret:         sandbox.DemoEftpaySecret,
		TID:            "T001",
		Timeout:        5 * time.Second,
		Now:            r.clock.Now,
		Logger:         quietLogger(),
	}
}

// gateway makes another gateway to the same sandbox, edited.
func (r *rig) gateway(edit func(*eftpay.Config)) *eftpay.Gateway {
	cfg := r.config()
	if edit != nil {
		edit(&cfg)
	}
	gw, err := eftpay.NewGateway(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return gw
}

// no returns a fresh order number.
func (r *rig) no() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	return fmt.Sprintf("T001240501%06d", r.seq)
}

func (r *rig) requestCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func (r *rig) lastRequest() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.requests) == 0 {
		r.t.Fatal("no request reached the sandbox")
	}
	return r.requests[len(r.requests)-1]
}

// view is the sandbox's own word on an order.
func (r *rig) view(no string) (sandbox.OrderView, bool) { return r.sb.Order(no) }

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: eftpay.Currency} }

func method(t testing.TB, code string) payments.Method {
	m, err := payments.LookupMethod(payments.Eftpay, code)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mpmMethods() []payments.Method {
	var out []payments.Method
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		if m.Mode == payments.MPM {
			out = append(out, m)
		}
	}
	return out
}

func tokenMethod(t testing.TB) payments.Method {
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		if m.Mode == payments.Token {
			return m
		}
	}
	t.Fatal("no eftPay token method in the catalogue")
	return payments.Method{}
}

func wantKind(t testing.TB, err error, kind payments.ErrorKind, code string) {
	t.Helper()
	var pe *payments.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *payments.ProviderError of kind %s", err, kind)
	}
	if pe.Kind != kind || pe.Code != code {
		t.Fatalf("err = %v: kind %s code %q, want %s %q", err, pe.Kind, pe.Code, kind, code)
	}
	if pe.Provider != payments.Eftpay || pe.Message == "" || pe.OrderNo == "" {
		t.Fatalf("incomplete provider error: %+v", pe)
	}
}
