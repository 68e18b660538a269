package checkout

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// rig is a terminal wired to the sandbox over real HTTP on loopback: the
// engine, a real journal file, both real gateways, and a real notification
// server the sandbox posts to.
type rig struct {
	t       *testing.T
	sb      *sandbox.Server
	sbURL   string
	j       *storage.Journal
	e       *Engine
	eft     *eftpay.Gateway
	qf      *qfpay.Gateway
	updates <-chan Update
	opts    rigOptions
}

type rigOptions struct {
	notify   bool // give providers the notification URL
	poll     PollSchedule
	timeout  time.Duration // MPM order timeout
	cpm      time.Duration
	unknown  time.Duration
	callTime time.Duration // gateway call timeout
	random   io.Reader     // the journal's source of order numbers (default crypto/rand)
	giveUp   time.Duration // NotFoundGiveUp (default the engine's)
}

func fastPoll() PollSchedule {
	return PollSchedule{First: 40 * time.Millisecond, Fast: 40 * time.Millisecond, FastFor: time.Second, Slow: 80 * time.Millisecond}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	if o.poll == (PollSchedule{}) {
		o.poll = fastPoll()
	}
	if o.timeout == 0 {
		o.timeout = 3 * time.Second
	}
	if o.cpm == 0 {
		o.cpm = 3 * time.Second
	}
	if o.unknown == 0 {
		o.unknown = 600 * time.Millisecond
	}
	if o.callTime == 0 {
		o.callTime = 2 * time.Second
	}
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000, NotifyRetry: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })

	r := &rig{t: t, sb: sb, sbURL: srv.URL, opts: o}
	r.wire(o)
	return r
}

// terminal is a second terminal with the same tid on r's sandbox, with its
// own journal whose order numbers come from random (nil: crypto/rand).
func (r *rig) terminal(random io.Reader) *rig {
	o := r.opts
	o.random = random
	r2 := &rig{t: r.t, sb: r.sb, sbURL: r.sbURL, opts: o}
	r2.wire(o)
	return r2
}

// wire opens a new journal and engine for r against r's sandbox: a second
// call gives a second terminal (same tid) on the same provider accounts.
func (r *rig) wire(o rigOptions) {
	t, srv := r.t, struct{ URL string }{r.sbURL}
	var jopts []storage.Option
	if o.random != nil {
		jopts = append(jopts, storage.WithRandom(o.random))
	}
	j, err := storage.Open(context.Background(), filepath.Join(privateDir(t), "pos.db"), jopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	eft, err := eftpay.NewGateway(eftpay.Config{BaseURL: srv.URL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser,
		Secret: sandbox.DemoEftpaySecret, TID: "T001", Timeout: o.callTime, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	qf, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
		TID: "T001", Timeout: o.callTime, Logger: quiet, RatePerSecond: 10000, RatePerMinute: 1000000})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{TID: "T001", OrderTimeout: o.timeout, CPMTimeout: o.cpm, UnknownTimeout: o.unknown, Poll: o.poll, Logger: quiet,
		NotFoundGiveUp: o.giveUp, PayableFor: func(_ payments.Method, d time.Duration) time.Duration { return d }}
	r.j, r.eft, r.qf = j, eft, qf
	if o.notify {
		mux := http.NewServeMux()
		nsrv := httptest.NewServer(mux)
		t.Cleanup(nsrv.Close)
		cfg.NotifyURL = nsrv.URL + "/notify"
		mux.Handle("/notify/eftpay", eft.NotificationHandler(func(ctx context.Context, n payments.Notification) error { return r.e.HandleNotification(ctx, n) }))
		mux.Handle("/notify/qfpay", qf.NotificationHandler(func(ctx context.Context, n payments.Notification) error { return r.e.HandleNotification(ctx, n) }))
	}
	e, err := New(j, cfg, eft, qf)
	if err != nil {
		t.Fatal(err)
	}
	r.e = e
	e.SetReceiptSink(&Receipts{J: j, Profile: func() Profile { return Profile{TID: "T001", StoreName: "Test shop"} }})
	var stop func()
	r.updates, stop = e.Subscribe(256)
	t.Cleanup(func() { e.Close(); stop() })
}

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

func (r *rig) charge(p payments.Provider, code string, minor int64, auth string) *Sale {
	r.t.Helper()
	s, err := r.e.Charge(context.Background(), ChargeRequest{Provider: p, MethodCode: code, Amount: hkd(minor), AuthCode: auth})
	if err != nil {
		r.t.Fatalf("charge %s %s: %v", p, code, err)
	}
	return s
}

// waitUpdate waits for an update of kind for order no.
func (r *rig) waitUpdate(no string, kind UpdateKind) Update {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case u := <-r.updates:
			if u.Order.OutTradeNo == no && u.Kind == kind {
				return u
			}
		case <-deadline:
			r.t.Fatalf("no %s update for %s", kind, no)
		}
	}
}

func (r *rig) wait(s *Sale) payments.Order {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o, err := s.Wait(ctx)
	if err != nil {
		r.t.Fatalf("sale %s: %v", s.Order.OutTradeNo, err)
	}
	return o
}

// sandboxPaid reports whether the sandbox holds the order as paid.
func (r *rig) sandboxPaid(no string) bool {
	r.t.Helper()
	v, ok := r.sb.Order(no)
	if !ok {
		return false
	}
	return v.Paid
}

func storageFilterAll() storage.Filter { return storage.Filter{} }

// privateDir is a temporary directory the journal accepts (mode 0700: the
// journal refuses a directory others can read).
func privateDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}
