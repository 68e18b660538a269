package qfpay_test

import (
	"bytes"
	"context"
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
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// clock is the sandbox's clock in tests: real time plus what Advance added.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// hit is one request the sandbox received on /trade/v1/.
type hit struct {
	at     time.Time
	path   string
	form   string
	status int
}

// hitLog wraps the sandbox's handler and records every QFPay call with the
// status it was answered (0 when the connection was dropped).
type hitLog struct {
	mu   sync.Mutex
	hits []hit
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (l *hitLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/trade/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		at := time.Now()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			l.mu.Lock()
			l.hits = append(l.hits, hit{at: at, path: r.URL.Path, form: string(body), status: sw.status})
			l.mu.Unlock()
		}()
		next.ServeHTTP(sw, r)
	})
}

func (l *hitLog) list() []hit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]hit(nil), l.hits...)
}

func (l *hitLog) count(status int) int {
	n := 0
	for _, h := range l.list() {
		if h.status == status {
			n++
		}
	}
	return n
}

// quiet drops the log of the tests (go test -v shows failures anyway).
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type env struct {
	sb    *sandbox.Server
	url   string
	app   string // the sandbox's QFPay app code
	key   string // and client key
	gw    *qfpay.Gateway
	clock *clock
	hits  *hitLog
}

// newEnv runs a sandbox on loopback and a gateway speaking to it. Each test
// gets its own app code, hence its own rate limiter.
func newEnv(t testing.TB, sc sandbox.Config, gc qfpay.Config) *env {
	t.Helper()
	e := &env{clock: &clock{}, hits: &hitLog{}}
	if sc.QFPayAppCode == "" {
		sc.QFPayAppCode = freshApp(t)
	}
	if sc.QFPayKey == "" {
		sc.QFPayKey = "KEY-" + t.Name()
	}
	if sc.Logger == nil {
		sc.Logger = quiet
	}
	// Tests that are not about the rate limit are not slowed by it.
	if sc.QFPayRatePerSecond == 0 {
		sc.QFPayRatePerSecond, sc.QFPayRatePerMinute = 100000, 1000000
	}
	if sc.Now == nil {
		sc.Now = e.clock.Now
	}
	if sc.NotifyRetry == nil {
		sc.NotifyRetry = []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
	}
	e.sb = sandbox.New(sc)
	srv := httptest.NewServer(e.hits.wrap(e.sb.Handler()))
	t.Cleanup(func() {
		srv.Close()
		e.sb.Close()
	})
	e.url, e.app, e.key = srv.URL, sc.QFPayAppCode, sc.QFPayKey
	gc.BaseURL = srv.URL
	if gc.AppCode == "" {
		gc.AppCode = sc.QFPayAppCode
	}
	if gc.ClientKey == "" {
		gc.ClientKey = sc.QFPayKey
	}
	if gc.Logger == nil {
		gc.Logger = quiet
	}
	if gc.RatePerSecond == 0 {
		gc.RatePerSecond, gc.RatePerMinute = 100000, 1000000
	}
	if gc.TID == "" {
		gc.TID = "T001"
	}
	if gc.Timeout == 0 {
		gc.Timeout = 5 * time.Second
	}
	gw, err := qfpay.New(gc)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	return e
}

func method(t testing.TB, code string) payments.Method {
	t.Helper()
	m, err := payments.LookupMethod(payments.QFPay, code)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

var orderSeq struct {
	sync.Mutex
	n int
}

// freshApp is an app code no other test or run uses: the process-wide
// rate limiter of one (go test -count=N) must not slow the next.
func freshApp(t testing.TB) string { return "APP-" + t.Name() + "-" + orderNo() }

// orderNo makes a fresh out_trade_no.
func orderNo() string {
	orderSeq.Lock()
	defer orderSeq.Unlock()
	orderSeq.n++
	return fmt.Sprintf("T001%s%06d", time.Now().Format("060102"), orderSeq.n)
}

// eventually polls cond until it holds or 5 seconds pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
