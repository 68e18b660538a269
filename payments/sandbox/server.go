// Package sandbox is a faithful stand-in for both providers' servers: the
// eftPay VMP JSAPIService and the QFPay /trade/v1 API, speaking their exact
// wire protocols from the server side, with the provider's rules (signatures,
// clocks, amounts, duplicates, order states, refund balances, notifications)
// and injectable faults. Demo mode, the tests and cashiers in training use it.
//
// It knows nothing of the engine, the journal or the UI: it imports only
// payments (for Money and the method catalogue), the provider packages
// payments/eftpay and payments/qfpay for their signing and wire encoding
// (so both sides of the wire sign the same way), internal/httpx and the
// standard library.
//
// Each provider's half lives in its own files (eftpay*.go, qfpay*.go) and
// registers itself with registerHalf; this file holds what they share: the
// server and its front door (which logs every provider call and applies
// the holds and the faults limited to one operation or number), the control
// endpoints for people and tests (/sandbox/pay, /sandbox/orders,
// /sandbox/faults, /sandbox/held, /sandbox/release, /sandbox/requests) and
// the notification sender.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"qrpos/internal/httpx"
	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// Demo credentials: what `pos sandbox` and demo mode use unless told
// otherwise. They are written in the README; they protect nothing.
const (
	DemoEftpayUser   = "S0000001"
	DemoEftpaySecret = "testsignkey1234"
	DemoQFPayAppCode = "D5589D2A1F2E42A9A60C37DEMO00001"
	DemoQFPayKey     = "0E32A59A8B454940A2FF39DEMOKEY01"
)

// Config sets up a sandbox.
type Config struct {
	EftpayUser   string // user_confirm_key
	EftpaySecret string
	// ClockWindow is how far a request's time may be from the sandbox's
	// clock before eftPay answers 12 (default 5 minutes).
	ClockWindow time.Duration

	QFPayAppCode string
	QFPayKey     string
	// QFPayRatePerSecond and QFPayRatePerMinute: beyond them the QFPay half
	// answers HTTP 429 (defaults 100 and 400, as the real host).
	QFPayRatePerSecond int
	QFPayRatePerMinute int

	// NotifyRetry is the pause before each notification retry, compressed
	// from the providers' schedules (default 200ms, 500ms, 1s, 2s, 5s, 10s).
	NotifyRetry []time.Duration
	// Now is the sandbox's clock (default time.Now).
	Now func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger
	// KeepRequests is how many of the latest provider calls Requests keeps
	// (0: every one, as the tests that check each number was sent once
	// need). A demo terminal's sandbox, which runs for days, keeps 10,000.
	KeepRequests int
}

func (c *Config) defaults() {
	if c.EftpayUser == "" {
		c.EftpayUser = DemoEftpayUser
	}
	if c.EftpaySecret == "" {
		c.EftpaySecret = DemoEftpaySecret
	}
	if c.ClockWindow == 0 {
		c.ClockWindow = 5 * time.Minute
	}
	if c.QFPayAppCode == "" {
		c.QFPayAppCode = DemoQFPayAppCode
	}
	if c.QFPayKey == "" {
		c.QFPayKey = DemoQFPayKey
	}
	if c.QFPayRatePerSecond == 0 {
		c.QFPayRatePerSecond = 100
	}
	if c.QFPayRatePerMinute == 0 {
		c.QFPayRatePerMinute = 400
	}
	if c.NotifyRetry == nil {
		c.NotifyRetry = []time.Duration{200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// OrderView is one order as /sandbox/orders lists it.
type OrderView struct {
	Provider   string `json:"provider"`
	OutTradeNo string `json:"out_trade_no"`
	Method     string `json:"method"`
	Amount     string `json:"amount"` // decimal, e.g. "12.30"
	Currency   string `json:"currency"`
	State      string `json:"state"` // the provider's own word (TRADE_SUCCESS, 0000, ...)
	Paid       bool   `json:"paid"`
	Payable    bool   `json:"payable"`  // the provider would still take the customer's money for it
	Refunded   string `json:"refunded"` // decimal total refunded
	Ref        string `json:"ref"`      // eftpay_trade_no / syssn
	NotifyURL  string `json:"notify_url,omitempty"`
	Notified   bool   `json:"notified"` // a notification was acknowledged
	CreatedAt  string `json:"created_at"`
}

// half is one provider's side of the sandbox.
type half interface {
	// routes adds the provider's endpoints.
	routes(mux *http.ServeMux)
	// pay plays the customer for an order this half knows; known is false
	// when the number is not this half's. outcome is "success" or "fail".
	pay(outTradeNo, outcome string) (known bool, err error)
	// orders lists this half's orders.
	orders() []OrderView
}

var (
	halvesMu sync.Mutex
	halves   []func(*Server) half
)

// registerHalf is called from each half's init.
func registerHalf(f func(*Server) half) {
	halvesMu.Lock()
	defer halvesMu.Unlock()
	halves = append(halves, f)
}

// Server is a running sandbox's state. Its Handler serves both providers.
type Server struct {
	cfg      Config
	log      *slog.Logger
	faults   faults
	holds    holds
	requests requestLog
	halves   []half
	mux      *http.ServeMux

	// notifyCtx ends with Close: notification retries and held calls stop.
	notifyCtx    context.Context
	notifyCancel context.CancelFunc
	notifyWG     sync.WaitGroup
	httpClient   *http.Client
}

// New makes a sandbox. Call Close when done to stop notification retries.
func New(cfg Config) *Server {
	cfg.defaults()
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "sandbox"), mux: http.NewServeMux(),
		httpClient: &http.Client{Timeout: 5 * time.Second}, requests: requestLog{keep: cfg.KeepRequests}}
	s.holds.changed = make(chan struct{})
	s.holds.ch = make(chan Held, 256)
	s.notifyCtx, s.notifyCancel = context.WithCancel(context.Background())
	halvesMu.Lock()
	for _, f := range halves {
		s.halves = append(s.halves, f(s))
	}
	halvesMu.Unlock()
	for _, h := range s.halves {
		h.routes(s.mux)
	}
	s.mux.HandleFunc("POST /sandbox/pay", s.handlePay)
	s.mux.HandleFunc("GET /sandbox/orders", s.handleOrders)
	s.mux.HandleFunc("POST /sandbox/faults", s.handleFaults)
	s.mux.HandleFunc("DELETE /sandbox/faults", s.handleClearFaults)
	s.mux.HandleFunc("GET /sandbox/held", s.handleHeld)
	s.mux.HandleFunc("POST /sandbox/release", s.handleRelease)
	s.mux.HandleFunc("GET /sandbox/requests", s.handleRequests)
	return s
}

// Config is the configuration in force, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Handler serves the eftPay half under /VMP/, the QFPay half under
// /trade/v1/ and the control endpoints under /sandbox/. Every provider call
// goes through the front door first.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.frontDoor) }

// frontDoor logs a provider call, applies the fault of the front door (a
// hold, or a fault limited to an operation or a number) and hands the call
// to its half. Other paths go straight to the mux.
func (s *Server) frontDoor(w http.ResponseWriter, r *http.Request) {
	c, ok := readCall(r)
	if !ok {
		s.mux.ServeHTTP(w, r)
		return
	}
	seq := s.requests.add(c, s.cfg.Now())
	sw := &httpx.StatusWriter{ResponseWriter: w}
	defer func() { s.requests.answered(seq, sw.Status) }()
	s.frontFault(s.takeFrontFault(c), c, sw, r)
}

// Close stops pending notification retries and waits for them; calls still
// held are abandoned (their connections closed).
func (s *Server) Close() {
	s.notifyCancel()
	s.notifyWG.Wait()
}

// Pay plays the customer: the order is paid ("success") or refused ("fail").
func (s *Server) Pay(outTradeNo, outcome string) error {
	if outcome == "" {
		outcome = "success"
	}
	if outcome != "success" && outcome != "fail" {
		return fmt.Errorf("outcome %q: use success or fail", outcome)
	}
	for _, h := range s.halves {
		known, err := h.pay(outTradeNo, outcome)
		if known {
			return err
		}
	}
	return fmt.Errorf("no order %q in the sandbox", outTradeNo)
}

// Orders lists every order of both halves, oldest first.
func (s *Server) Orders() []OrderView {
	var out []OrderView
	for _, h := range s.halves {
		out = append(out, h.orders()...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt < out[j].CreatedAt })
	return out
}

// Order finds one order by number.
func (s *Server) Order(outTradeNo string) (OrderView, bool) {
	for _, o := range s.Orders() {
		if o.OutTradeNo == outTradeNo {
			return o, true
		}
	}
	return OrderView{}, false
}

func (s *Server) handlePay(w http.ResponseWriter, r *http.Request) {
	no, outcome, err := controlParams(r)
	if err == nil {
		err = s.Pay(no, outcome)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"out_trade_no": no, "outcome": outcome})
}

// controlParams reads out_trade_no and outcome from a form or a JSON body.
func controlParams(r *http.Request) (no, outcome string, err error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			OutTradeNo string `json:"out_trade_no"`
			Outcome    string `json:"outcome"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&body); err != nil {
			return "", "", fmt.Errorf("bad JSON: %w", err)
		}
		no, outcome = body.OutTradeNo, body.Outcome
	} else {
		if err := r.ParseForm(); err != nil {
			return "", "", err
		}
		no, outcome = r.Form.Get("out_trade_no"), r.Form.Get("outcome")
	}
	if no == "" {
		return "", "", fmt.Errorf("out_trade_no is required")
	}
	if outcome == "" {
		outcome = "success"
	}
	return no, outcome, nil
}

func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request) {
	orders := s.Orders()
	if orders == nil {
		orders = []OrderView{}
	}
	writeJSON(w, http.StatusOK, orders)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// notify POSTs body to url in the background until accept says the answer
// is an acknowledgement, pausing as NotifyRetry says between tries. It
// reports the acknowledgement through acked (which may be nil).
func (s *Server) notify(url string, body []byte, header http.Header, accept func(status int, resp []byte) bool, acked func()) {
	if url == "" {
		return
	}
	s.notifyWG.Add(1)
	go func() {
		defer s.notifyWG.Done()
		for attempt := 0; ; attempt++ {
			if s.sendNotification(url, body, header, accept) {
				if acked != nil {
					acked()
				}
				return
			}
			if attempt >= len(s.cfg.NotifyRetry) {
				s.log.Warn("notification given up", "url", url, "attempts", attempt+1)
				return
			}
			select {
			case <-s.notifyCtx.Done():
				return
			case <-time.After(s.cfg.NotifyRetry[attempt]):
			}
		}
	}()
}

func (s *Server) sendNotification(url string, body []byte, header http.Header, accept func(int, []byte) bool) bool {
	req, err := http.NewRequestWithContext(s.notifyCtx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		s.log.Warn("notification", "url", url, "err", err)
		return false
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.httpClient.Do(req)
	if err != nil {
		s.log.Info("notification not delivered", "url", url, "err", err)
		return false
	}
	defer resp.Body.Close()
	buf := make([]byte, 4096)
	n, _ := readFull(resp.Body, buf)
	return accept(resp.StatusCode, buf[:n])
}

// Operations of the request log (Request.Op).
const (
	OpPay      = "pay"      // eftPay PreOrder or token payment, QFPay /trade/v1/payment
	OpQuery    = "query"    // a sale's or a refund's query
	OpClose    = "close"    // eftPay Close, QFPay /trade/v1/close
	OpReversal = "reversal" // QFPay /trade/v1/reversal
	OpRefund   = "refund"
)

var knownOps = map[string]bool{OpPay: true, OpQuery: true, OpClose: true, OpReversal: true, OpRefund: true}

// eftpayOps maps each eftPay service name of the catalogue to its operation.
var eftpayOps = func() map[string]string {
	ops := map[string]string{}
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		for name, op := range map[string]string{m.Services.PreOrder: OpPay, m.Services.Query: OpQuery,
			m.Services.Close: OpClose, m.Services.Refund: OpRefund} {
			if name != "" {
				ops[name] = op
			}
		}
	}
	return ops
}()

// Request is one provider call the sandbox received, as its request log
// keeps it: a crash test asserts from it that no payment or refund number
// was sent twice.
type Request struct {
	Seq      int    `json:"seq"`
	Provider string `json:"provider"` // eftpay or qfpay
	// Op is pay, query, close, reversal or refund; empty when the call
	// named no operation the sandbox knows (it is still served and refused).
	Op string `json:"op"`
	// Service is eftPay's service name or QFPay's path.
	Service string `json:"service"`
	// OutTradeNo is the sale's number (for a QFPay query, the numbers it
	// names, comma-separated); RefundNo the refund's. A QFPay refund names
	// its sale by syssn: Requests fills OutTradeNo in from it, and moves a
	// QFPay query's refund number to RefundNo.
	OutTradeNo string    `json:"out_trade_no,omitempty"`
	RefundNo   string    `json:"refund_no,omitempty"`
	Syssn      string    `json:"syssn,omitempty"`
	At         time.Time `json:"at"`
	// Status is the HTTP status answered; 0 while the call is being served
	// or when no answer went back (dropped, or its client went away).
	Status int `json:"status"`
}

// names reports whether the call names number no, as sale or refund.
func (c Request) names(no string) bool {
	if c.RefundNo == no {
		return true
	}
	for _, n := range strings.Split(c.OutTradeNo, ",") {
		if strings.TrimSpace(n) == no {
			return true
		}
	}
	return false
}

// requestLog keeps the provider calls, or the latest keep of them.
type requestLog struct {
	mu      sync.Mutex
	keep    int // 0: all
	list    []Request
	dropped int // calls no longer kept, the oldest
}

// DemoKeepRequests is what a demo terminal's sandbox keeps (about 2 MB).
const DemoKeepRequests = 10000

func (l *requestLog) add(c Request, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.Seq = l.dropped + len(l.list) + 1
	c.At = now
	if l.keep > 0 && len(l.list) >= l.keep {
		n := max(l.keep/10, 1)
		l.list = append(l.list[:0], l.list[n:]...)
		l.dropped += n
	}
	l.list = append(l.list, c)
	return c.Seq
}

func (l *requestLog) answered(seq, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := seq - 1 - l.dropped; i >= 0 && i < len(l.list) {
		l.list[i].Status = status
	}
}

// Requests lists the provider calls received (the latest
// Config.KeepRequests when set), in arrival order.
func (s *Server) Requests() []Request {
	s.requests.mu.Lock()
	out := append([]Request(nil), s.requests.list...)
	s.requests.mu.Unlock()
	sales := map[string]string{} // QFPay syssn -> sale number
	for _, o := range s.Orders() {
		if o.Provider == string(payments.QFPay) {
			sales[o.Ref] = o.OutTradeNo
		}
	}
	refunds := map[string]bool{}
	for i, c := range out {
		if c.Provider != string(payments.QFPay) {
			continue
		}
		if c.OutTradeNo == "" && c.Syssn != "" {
			out[i].OutTradeNo = sales[c.Syssn]
		}
		if c.Op == OpRefund {
			refunds[c.RefundNo] = true
		}
	}
	for i, c := range out {
		if c.Provider == string(payments.QFPay) && c.Op == OpQuery && refunds[c.OutTradeNo] {
			out[i].RefundNo, out[i].OutTradeNo = c.OutTradeNo, ""
		}
	}
	return out
}

func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	reqs := s.Requests()
	if reqs == nil {
		reqs = []Request{}
	}
	writeJSON(w, http.StatusOK, reqs)
}

// readCall reads what a provider call is about, leaving its body to be
// read again; false when r is not a provider call.
func readCall(r *http.Request) (Request, bool) {
	var provider string
	switch {
	case r.URL.Path == "/VMP"+eftpay.ServicePath && r.Method == http.MethodPost:
		provider = string(payments.Eftpay)
	case strings.HasPrefix(r.URL.Path, "/trade/v1/"):
		provider = string(payments.QFPay)
	default:
		return Request{}, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, eftpay.MaxBody+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := Request{Provider: provider}
	if err != nil {
		return c, true
	}
	if provider == string(payments.Eftpay) {
		fields, err := eftpay.DecodeObject(body)
		if err != nil {
			return c, true
		}
		c.Service = fields["service"]
		c.Op = eftpayOps[c.Service]
		c.OutTradeNo, c.RefundNo = fields["out_trade_no"], fields["refund_no"]
		return c, true
	}
	c.Service = r.URL.Path
	c.Op = strings.TrimPrefix(r.URL.Path, "/trade/v1/")
	if c.Op == "payment" {
		c.Op = OpPay
	}
	if !knownOps[c.Op] {
		c.Op = ""
	}
	p, _ := url.ParseQuery(string(body))
	for k, v := range r.URL.Query() {
		p[k] = append(p[k], v...)
	}
	c.OutTradeNo, c.Syssn = p.Get("out_trade_no"), p.Get("syssn")
	if c.Op == OpRefund {
		c.RefundNo, c.OutTradeNo = c.OutTradeNo, ""
	}
	return c, true
}
