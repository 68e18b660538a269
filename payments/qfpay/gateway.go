package qfpay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"qrpos/payments"
)

// Config is one merchant credential at one QFPay host.
type Config struct {
	// BaseURL is the host, without /trade/v1: https://test-openapi-hk.qfapi.com
	// (QFPay's sandbox) or https://openapi-hk.qfapi.com.
	BaseURL   string
	AppCode   string // X-QF-APPCODE
	ClientKey string // signs requests and verifies notifications; never logged
	// MchID is sent only when QFPay issued one: a merchant without one must
	// not send the parameter at all.
	MchID string
	// SignType is MD5 (the default) or SHA256; X-QF-SIGNTYPE is always sent.
	SignType SignType
	// TID is the udid sent when a request names no terminal.
	TID string

	// Timeout bounds one HTTP exchange (default 20s); ConnectTimeout the
	// TCP connect (default 5s).
	Timeout        time.Duration
	ConnectTimeout time.Duration

	// RatePerSecond and RatePerMinute pace every request of this credential
	// in the whole process (defaults 100 and 400, QFPay's limits).
	RatePerSecond int
	RatePerMinute int
	// RateLimitPause is the pause after an HTTP 429 without Retry-After
	// (default 1s); MaxRateLimitRetries bounds the retries of one call
	// (default 30) before it ends with an unknown outcome.
	RateLimitPause      time.Duration
	MaxRateLimitRetries int

	// HTTPClient replaces the client built from the timeouts.
	HTTPClient *http.Client
	// Now is the clock that stamps txdtm (default time.Now).
	Now func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// maxAnswer bounds the body read from QFPay.
const maxAnswer = 1 << 20

// Gateway is the QFPay client. It is safe for concurrent use.
type Gateway struct {
	cfg     Config
	base    string
	http    *http.Client
	limiter *limiter
	log     *slog.Logger

	loggedCancel sync.Map // unrecognised cancel flags already logged
	loggedCodes  sync.Map // record codes that leave an order open, already logged
}

// noteOnce logs msg the first time key is seen in seen.
func (g *Gateway) noteOnce(seen *sync.Map, key, msg string, args ...any) {
	if _, dup := seen.LoadOrStore(key, true); !dup {
		g.log.Warn(msg, args...)
	}
}

var _ payments.Gateway = (*Gateway)(nil)

// New checks cfg and makes a Gateway.
func New(cfg Config) (*Gateway, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("qfpay: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.AppCode == "" || cfg.ClientKey == "" {
		return nil, errors.New("qfpay: app code and client key are required")
	}
	st, err := ParseSignType(string(cfg.SignType)) // "" is MD5; "sha256" is SHA256
	if err != nil {
		return nil, err
	}
	cfg.SignType = st
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = DefaultRatePerMinute
	}
	if cfg.RateLimitPause <= 0 {
		cfg.RateLimitPause = time.Second
	}
	if cfg.MaxRateLimitRetries <= 0 {
		cfg.MaxRateLimitRetries = 30
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	g := &Gateway{cfg: cfg, base: u.String(), http: cfg.HTTPClient,
		log:     cfg.Logger.With("provider", "qfpay"),
		limiter: limiterFor(cfg.AppCode, cfg.MchID, cfg.RatePerSecond, cfg.RatePerMinute)}
	if g.http == nil {
		g.http = &http.Client{
			Timeout: cfg.Timeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				MaxIdleConnsPerHost:   4,
				IdleConnTimeout:       90 * time.Second,
				ExpectContinueTimeout: time.Second,
				ForceAttemptHTTP2:     true,
			},
			// A redirected POST would come back as a GET: take the
			// redirect as the answer, which does not parse (outcome unknown).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return g, nil
}

// Provider is payments.QFPay.
func (g *Gateway) Provider() payments.Provider { return payments.QFPay }

// unknown wraps payments.ErrOutcomeUnknown with the operation and order.
func unknown(op, no string, format string, args ...any) error {
	return fmt.Errorf("qfpay %s %s: %w: %s", op, no, payments.ErrOutcomeUnknown, fmt.Sprintf(format, args...))
}

// call sends one signed request to path and reads QFPay's answer. It waits
// for the merchant's rate limiter before every try and sends again, after a
// pause, what QFPay refused with HTTP 429 (QFPay did not process it). An
// error wraps payments.ErrOutcomeUnknown when the request may have been
// processed; a context that ends before anything was sent is returned as is.
func (g *Gateway) call(ctx context.Context, op, no, path string, params url.Values) (*response, error) {
	if g.cfg.MchID != "" {
		params.Set("mchid", g.cfg.MchID)
	}
	for k, v := range params {
		if len(v) == 0 || v[0] == "" {
			delete(params, k) // empty parameters are neither sent nor signed
		}
	}
	sign := Sign(params, g.cfg.ClientKey, g.cfg.SignType)
	body := params.Encode()
	for try := 0; ; try++ {
		if err := g.limiter.wait(ctx); err != nil {
			return nil, fmt.Errorf("qfpay %s %s: not sent, waiting for the rate limit: %w", op, no, err)
		}
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+path, strings.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("qfpay %s %s: %w", op, no, err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(HeaderAppCode, g.cfg.AppCode)
		req.Header.Set(HeaderSign, sign)
		req.Header.Set(HeaderSignType, string(g.cfg.SignType))
		resp, err := g.http.Do(req)
		if err != nil {
			g.log.Warn("qfpay call failed", "op", op, "out_trade_no", no, "err", err, "elapsed", time.Since(start))
			return nil, unknown(op, no, "%v", err)
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			if try >= g.cfg.MaxRateLimitRetries {
				pe := &payments.ProviderError{Provider: payments.QFPay, Op: op, OrderNo: no, Code: "429",
					Kind: payments.KindRateLimited, Message: "QFPay is refusing requests: too many from this merchant"}
				return nil, fmt.Errorf("qfpay %s %s: %w after %d tries: %w", op, no, payments.ErrOutcomeUnknown, try+1, pe)
			}
			pause := retryAfter(resp.Header.Get("Retry-After"), time.Now(), g.cfg.RateLimitPause)
			g.log.Warn("qfpay rate limited: waiting", "op", op, "out_trade_no", no, "pause", pause, "try", try+1)
			if err := sleepCtx(ctx, pause); err != nil {
				return nil, fmt.Errorf("qfpay %s %s: not sent, rate limited: %w", op, no, err)
			}
			continue
		case err != nil:
			return nil, unknown(op, no, "reading the answer: %v", err)
		case len(raw) > maxAnswer:
			return nil, unknown(op, no, "answer larger than %d bytes", maxAnswer)
		case resp.StatusCode >= 500:
			g.log.Warn("qfpay server error", "op", op, "out_trade_no", no, "http_status", resp.StatusCode)
			return nil, unknown(op, no, "HTTP %d", resp.StatusCode)
		}
		r, perr := parseResponse(raw)
		if perr != nil {
			g.log.Warn("qfpay answer unreadable", "op", op, "out_trade_no", no, "http_status", resp.StatusCode, "bytes", len(raw))
			return nil, unknown(op, no, "HTTP %d: %v", resp.StatusCode, perr)
		}
		g.log.Debug("qfpay call", "op", op, "out_trade_no", no, "respcd", r.RespCd.String(),
			"http_status", resp.StatusCode, "elapsed", time.Since(start))
		return r, nil
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); without
// one, def. The pause is kept between 10ms and one minute.
func retryAfter(h string, now time.Time, def time.Duration) time.Duration {
	d := def
	if h = strings.TrimSpace(h); h != "" {
		if s, err := strconv.Atoi(h); err == nil {
			d = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(h); err == nil {
			d = t.Sub(now)
		}
	}
	return min(max(d, 10*time.Millisecond), time.Minute)
}

// refusal turns a respcd other than 0000/1143/1145 into the error the
// caller branches on: a *payments.ProviderError, also wrapping
// payments.ErrOutcomeUnknown when QFPay was busy or failing (the payment may
// have gone through: query, never resend).
func refusal(op, no string, r *record) error {
	code := r.RespCd.String()
	pe := &payments.ProviderError{Provider: payments.QFPay, Op: op, OrderNo: no, Code: code,
		Kind: KindOf(code), Message: messageFor(code, r.RespErr.String(), r.RespMsg.String())}
	if outcomeUnknown(code) {
		return fmt.Errorf("qfpay %s %s: %w: %w", op, no, payments.ErrOutcomeUnknown, pe)
	}
	return pe
}

// method checks that m is one of QFPay's in-store methods of the catalogue.
func method(op, no string, m payments.Method) (payments.Method, error) {
	if m.Provider != payments.QFPay {
		return m, fmt.Errorf("qfpay %s %s: method %s is not QFPay's", op, no, m.ID())
	}
	cm, err := payments.LookupMethod(payments.QFPay, m.Code)
	if err != nil {
		return m, fmt.Errorf("qfpay %s %s: %w", op, no, err)
	}
	if cm.Mode != payments.MPM && cm.Mode != payments.CPM {
		return m, fmt.Errorf("qfpay %s %s: method %s is neither MPM nor CPM", op, no, m.ID())
	}
	return cm, nil
}

func checkAmount(op, no string, a payments.Money) error {
	if !a.Currency.Valid() {
		return fmt.Errorf("qfpay %s %s: currency %q is not supported", op, no, a.Currency)
	}
	if err := Range.Check(a); err != nil {
		return fmt.Errorf("qfpay %s %s: amount %s: %w", op, no, a, err)
	}
	return nil
}

func (g *Gateway) udid(tid string) string {
	if tid != "" {
		return tid
	}
	return g.cfg.TID
}

func (g *Gateway) txdtm() string { return WireTime(g.cfg.Now()) }

// txdtmOf is at as txdtm, or now when at is zero.
func (g *Gateway) txdtmOf(at time.Time) string {
	if at.IsZero() {
		return g.txdtm()
	}
	return WireTime(at)
}

// echoMismatch reports an answer about another order or amount than the one
// asked: an acceptance that says so cannot be trusted. (Refusals are taken
// as they come: QFPay may echo the first order of a duplicate number.)
func echoMismatch(r *record, no string, amount payments.Money) string {
	if got := r.OutTradeNo.String(); got != "" && got != no {
		return fmt.Sprintf("answer is about out_trade_no %q", got)
	}
	if got := r.TxAmt.String(); got != "" && got != amount.MinorString() {
		return fmt.Sprintf("answer says txamt %q, asked %s", got, amount.MinorString())
	}
	return ""
}
