package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// pinVector is ui.HashPIN("1234"): the API checks the hash the terminal's
// screen stores.
const pinVector = "pbkdf2-sha256$600000$LrcWslTLav19d+Ruh1ag/w$ZRA3CwCNjfhYfEYbm3BCifPHw/RZ2tie7WEhu5yqlQ0"

// rig is a terminal as pos run wires it, over the sandbox on loopback: a
// real journal in a private directory, both real gateways, the engine, and
// the API on a real Unix socket beside the journal.
type rig struct {
	t       testing.TB
	sb      *sandbox.Server
	sbURL   string
	wire    *wireClock
	dir     string
	jpath   string
	j       *storage.Journal
	eng     *checkout.Engine
	gws     []payments.Gateway
	engMu   sync.Mutex
	live    *checkout.Engine // what the server's Engine returns (replaceEngine)
	srv     *Server
	sock    string
	c       *Client
	logs    *syncBuffer
	opts    rigOptions
	cashier *cashier // with opts.cashier
	profMu  sync.Mutex
	profile checkout.Profile
}

type rigOptions struct {
	apiRefunds bool
	limits     checkout.NotifyLimits
	heartbeat  time.Duration
	poll       checkout.PollSchedule
	timeout    time.Duration // MPM order timeout
	// cashier: the terminal has a cashier's screen (Config.Counter);
	// askTimeout is how long an ask waits for it.
	cashier    bool
	askTimeout time.Duration
	// reconcile is Config.Reconcile (nil: not served).
	reconcile func(context.Context, time.Time) (Reconciliation, error)
}

// wireClock notes when each provider payment request reached the sandbox.
type wireClock struct {
	h http.Handler
	// pays receives the arrival time of every QFPay payment request.
	pays chan time.Time
}

func (w *wireClock) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/trade/v1/payment" {
		select {
		case w.pays <- time.Now():
		default:
		}
	}
	w.h.ServeHTTP(rw, r)
}

// syncBuffer is a log sink the test greps (for secrets).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func privateDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	if o.poll == (checkout.PollSchedule{}) {
		o.poll = checkout.PollSchedule{First: 40 * time.Millisecond, Fast: 40 * time.Millisecond, FastFor: time.Second, Slow: 80 * time.Millisecond}
	}
	if o.timeout == 0 {
		o.timeout = 20 * time.Second
	}
	logs := &syncBuffer{}
	quiet := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 100000, QFPayRatePerMinute: 10000000})
	wc := &wireClock{h: sb.Handler(), pays: make(chan time.Time, 16)}
	hs := httptest.NewServer(wc)
	t.Cleanup(func() { hs.Close(); sb.Close() })
	dir := privateDir(t)
	r := &rig{t: t, sb: sb, sbURL: hs.URL, wire: wc, dir: dir, jpath: filepath.Join(dir, "pos.db"), logs: logs, opts: o}
	r.profile = checkout.Profile{TID: "T001", StoreName: "Test shop", Currency: "HKD", ManagerPIN: pinVector, APIRefunds: o.apiRefunds,
		Providers: sandbox.DemoProviders(hs.URL)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *rig) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// start opens the journal, wires the engine and serves the API, as pos
// run does.
func (r *rig) start() {
	t := r.t
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, r.jpath)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.profile.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := checkout.SaveProfile(ctx, j, r.profile); err != nil {
		t.Fatal(err)
	}
	log := r.logger()
	eft, err := eftpay.NewGateway(eftpay.Config{BaseURL: r.sbURL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser,
		Secret: sandbox.DemoEftpaySecret, TID: "T001", Timeout: 3 * time.Second, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	qf, err := qfpay.New(qfpay.Config{BaseURL: r.sbURL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
		TID: "T001", Timeout: 3 * time.Second, Logger: log, RatePerSecond: 100000, RatePerMinute: 10000000})
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.profile.EngineConfig()
	cfg.Logger, cfg.Poll, cfg.OrderTimeout = log, r.opts.poll, r.opts.timeout
	cfg.PayableFor = func(_ payments.Method, d time.Duration) time.Duration { return d }
	eng, err := checkout.New(j, cfg, eft, qf)
	if err != nil {
		t.Fatal(err)
	}
	eng.SetReceiptSink(&checkout.Receipts{J: j, Profile: r.currentProfile})
	r.engMu.Lock()
	r.live = eng
	r.engMu.Unlock()
	cfg2 := Config{Engine: r.engine, Profile: r.currentProfile, Version: "test",
		Logger: log, Limits: r.opts.limits, Heartbeat: r.opts.heartbeat, AskTimeout: r.opts.askTimeout, Reconcile: r.opts.reconcile}
	if r.opts.cashier {
		r.cashier = &cashier{shown: make(chan Ask, 16), hidden: make(chan string, 16)}
		cfg2.Counter = r.cashier
	}
	srv, err := New(cfg2)
	if err != nil {
		t.Fatal(err)
	}
	r.sock = SocketPath(r.jpath)
	if err := srv.ListenUnix(r.sock); err != nil {
		t.Fatal(err)
	}
	r.j, r.eng, r.srv, r.gws = j, eng, srv, []payments.Gateway{eft, qf}
	r.c = NewSocketClient(r.sock)
}

// stop shuts the API, the engine and the journal, as pos run does on exit.
func (r *rig) stop() {
	if r.srv == nil {
		return
	}
	r.c.Close()
	r.srv.Close()
	r.eng.Close()
	r.j.Close()
	r.srv = nil
}

// restart is a terminal restart: everything closed, the journal file
// opened again, a new engine and a new API server on the same socket.
func (r *rig) restart() {
	r.stop()
	r.start()
}

func (r *rig) engine() *checkout.Engine {
	r.engMu.Lock()
	defer r.engMu.Unlock()
	return r.live
}

// replaceEngine wires a new engine over the same journal and gateways, as
// the terminal does when the manager saves the settings.
func (r *rig) replaceEngine() *checkout.Engine {
	r.t.Helper()
	cfg := r.profile.EngineConfig()
	cfg.Logger, cfg.Poll, cfg.OrderTimeout = r.logger(), r.opts.poll, r.opts.timeout
	e, err := checkout.New(r.j, cfg, r.gws...)
	if err != nil {
		r.t.Fatal(err)
	}
	r.engMu.Lock()
	old := r.live
	r.live = e
	r.engMu.Unlock()
	r.t.Cleanup(e.Close)
	old.Close()
	return e
}

func (r *rig) currentProfile() checkout.Profile {
	r.profMu.Lock()
	defer r.profMu.Unlock()
	return r.profile
}

func (r *rig) setProfile(f func(p *checkout.Profile)) {
	r.profMu.Lock()
	defer r.profMu.Unlock()
	f(&r.profile)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// post sends raw JSON over the socket, as curl would, and returns the
// status, the headers and the decoded JSON body.
func (r *rig) raw(method, path string, header map[string]string, body string) (int, http.Header, map[string]any) {
	r.t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", r.sock)
	}}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequest(method, "http://pos"+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, m
}

// orders counts the journal's orders.
func (r *rig) orders() []payments.Order {
	r.t.Helper()
	list, err := r.j.Orders(context.Background(), storage.Filter{})
	if err != nil {
		r.t.Fatal(err)
	}
	return list
}

// payRequests counts the payment requests the sandbox received.
func (r *rig) payRequests() int {
	n := 0
	for _, c := range r.sb.Requests() {
		if c.Op == sandbox.OpPay {
			n++
		}
	}
	return n
}

func mustCharge(t testing.TB, c *Client, key string, req ChargeRequest) Charge {
	t.Helper()
	ch, _, err := c.CreateCharge(ctxT(t), key, req)
	if err != nil {
		t.Fatalf("charge %s: %v", key, err)
	}
	return ch
}

func apiErr(t testing.TB, err error, status int, code string) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok || e.Status != status || e.Code != code {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
	if e.Message == "" {
		t.Fatalf("%d %s without a message", status, code)
	}
	return e
}

// cashier is the cashier's screen as the test plays it: it sees the asks
// come (shown) and go (hidden: "id why"), and answers them through the
// Server as the terminal's screen does.
type cashier struct {
	shown  chan Ask
	hidden chan string
}

func (c *cashier) ShowAsk(a Ask)          { c.shown <- a }
func (c *cashier) HideAsk(id, why string) { c.hidden <- id + " " + why }

// nextAsk is the next ask shown to the cashier.
func (c *cashier) nextAsk(t testing.TB) Ask {
	t.Helper()
	select {
	case a := <-c.shown:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no ask reached the cashier")
	}
	return Ask{}
}

// nextHidden is the next ask the cashier's screen was told to drop.
func (c *cashier) nextHidden(t testing.TB) string {
	t.Helper()
	select {
	case h := <-c.hidden:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("no ask left the cashier's screen")
	}
	return ""
}
