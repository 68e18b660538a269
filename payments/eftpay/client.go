package eftpay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"qrpos/payments"
)

// ServicePath is the one endpoint of VMP, under the base URL.
const ServicePath = "/Servlet/JSAPIService.do"

// UATBaseURL is eftPay's test (UAT) domain; production domains are given
// per merchant.
const UATBaseURL = "https://vmp.eftpay.com.cn/VMP"

// BuyerType is what a counter terminal sends as buyertype.
const BuyerType = "others"

// Config sets up a Client (and a Gateway, and a NotificationHandler).
type Config struct {
	// BaseURL is the domain with its path, without the service path:
	// UATBaseURL, or http://127.0.0.1:8099/VMP for the sandbox.
	BaseURL        string
	UserConfirmKey string // eftPay's user_confirm_key
	Secret         string // the signing secret; never logged
	// TID is the terminal number sent when a request names none.
	TID string
	// ConnectTimeout bounds the TCP (and TLS) connect (default 5s).
	ConnectTimeout time.Duration
	// Timeout bounds one whole call, answer read included (default 30s).
	// A call that runs out has an unknown outcome.
	Timeout time.Duration
	// Now is the clock for the time field (default time.Now).
	Now func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Client sends eftPay services and verifies their answers. It is safe for
// concurrent use.
type Client struct {
	cfg         Config
	url         string
	http        *http.Client
	log         *slog.Logger
	surprises   surprises
	applePay    payments.Method
	hasApplePay bool
}

// New checks cfg and makes a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("eftpay: BaseURL is empty")
	}
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("eftpay: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.UserConfirmKey == "" {
		return nil, errors.New("eftpay: UserConfirmKey is empty")
	}
	if cfg.Secret == "" {
		return nil, errors.New("eftpay: Secret is empty")
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = cfg.ConnectTimeout
	c := &Client{
		cfg:  cfg,
		url:  strings.TrimRight(cfg.BaseURL, "/") + ServicePath,
		http: &http.Client{Transport: tr, Timeout: cfg.Timeout},
		log:  cfg.Logger.With("provider", "eftpay"),
	}
	c.surprises.log = c.log
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		if m.Mode == payments.Token {
			c.applePay, c.hasApplePay = m, true
		}
	}
	return c, nil
}

// Config is the configuration in force, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Response is a verified answer (or an unsigned negative one, which eftPay
// never signs).
type Response struct {
	Status string            // return_status in table form: "00", "03", "-22"
	Fields map[string]string // every field exactly as received
	Body   []byte            // the answer's bytes, for the journal
}

// Get returns one field ("" when absent).
func (r *Response) Get(key string) string { return r.Fields[key] }

// UnverifiedError is an answer whose signature does not verify. Its outcome
// is unknown: nothing it says is believed, including the return_status it
// claims (kept for diagnosis: a claimed 10 usually means a wrong secret).
type UnverifiedError struct {
	Op, OrderNo string
	Claimed     string // return_status as the answer put it
}

func (e *UnverifiedError) Error() string {
	return fmt.Sprintf("eftpay %s %s: answer signature does not verify (it claims return_status %q; is the secret right?): %v",
		e.Op, e.OrderNo, e.Claimed, payments.ErrOutcomeUnknown)
}

// Unwrap makes errors.Is(err, payments.ErrOutcomeUnknown) true.
func (e *UnverifiedError) Unwrap() error { return payments.ErrOutcomeUnknown }

// Call sends one service: it leaves out empty fields, adds user_confirm_key
// and time, signs, posts, and reads the answer. It returns the verified
// Response when return_status is 00, a *payments.ProviderError (with the
// code and a text for people) for any other understood answer, and an error
// wrapping payments.ErrOutcomeUnknown when the effect is not known: no
// answer, HTTP status other than 200, an answer that does not parse or does
// not verify, and the codes of OutcomeUnknown (-1, -99, 09, codes not in
// the table: the error wraps both ErrOutcomeUnknown and the
// *payments.ProviderError). op ("pay", "query", "close", "refund") and orderNo name the
// call in errors and logs.
func (c *Client) Call(ctx context.Context, op, orderNo string, fields map[string]string) (*Response, error) {
	req := make(map[string]string, len(fields)+3)
	for k, v := range fields {
		if v != "" && k != "sign" {
			req[k] = v
		}
	}
	if _, ok := req["user_confirm_key"]; !ok {
		req["user_confirm_key"] = c.cfg.UserConfirmKey
	}
	req["time"] = FormatTime(c.cfg.Now())
	req["sign"] = Sign(c.cfg.Secret, req)
	body := EncodeObject(req)

	start := time.Now()
	raw, err := c.post(ctx, body)
	if err != nil {
		c.log.Warn("eftpay call: no answer", "op", op, "service", req["service"], "out_trade_no", orderNo,
			"elapsed", time.Since(start), "err", err)
		return nil, fmt.Errorf("eftpay %s %s: %w: %w", op, orderNo, payments.ErrOutcomeUnknown, err)
	}
	resp, err := c.parse(op, orderNo, raw)
	if err != nil {
		var pe *payments.ProviderError
		if errors.As(err, &pe) {
			c.log.Info("eftpay call refused", "op", op, "service", req["service"], "out_trade_no", orderNo,
				"return_status", pe.Code, "kind", pe.Kind, "unknown_outcome", errors.Is(err, payments.ErrOutcomeUnknown),
				"elapsed", time.Since(start))
		} else {
			c.log.Warn("eftpay call: answer not believed", "op", op, "service", req["service"],
				"out_trade_no", orderNo, "err", err)
		}
		return nil, err
	}
	c.log.Debug("eftpay call", "op", op, "service", req["service"], "out_trade_no", orderNo,
		"return_status", resp.Status, "trade_status", resp.Get("trade_status"), "elapsed", time.Since(start))
	return resp, nil
}

// post sends body and returns the answer's bytes; any failure, an HTTP
// status other than 200 included, is an error.
func (c *Client) post(ctx context.Context, body []byte) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json; charset=utf-8")
	hreq.Header.Set("Accept", "application/json")
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer hresp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hresp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(raw) > MaxBody {
		return nil, fmt.Errorf("answer larger than %d bytes", MaxBody)
	}
	if hresp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", hresp.Status)
	}
	return raw, nil
}

// parse decodes and verifies an answer; see Call for what it returns.
func (c *Client) parse(op, orderNo string, raw []byte) (*Response, error) {
	resp, err := ParseResponse(c.cfg.Secret, raw)
	if err != nil {
		var ue *UnverifiedError
		if errors.As(err, &ue) {
			ue.Op, ue.OrderNo = op, orderNo
			return nil, ue
		}
		return nil, fmt.Errorf("eftpay %s %s: %w: %w", op, orderNo, payments.ErrOutcomeUnknown, err)
	}
	if resp.Status != StatusOK {
		kind, _ := DescribeStatus(resp.Status)
		pe := &payments.ProviderError{Provider: payments.Eftpay, Op: op, OrderNo: orderNo,
			Code: resp.Status, Kind: kind, Message: message(resp)}
		if OutcomeUnknown(resp.Status) {
			return nil, fmt.Errorf("eftpay %s %s: %w: %w", op, orderNo, payments.ErrOutcomeUnknown, pe)
		}
		return nil, pe
	}
	return resp, nil
}

// ErrNoStatus is an answer without a usable return_status.
var ErrNoStatus = errors.New("answer has no integer return_status")

// ParseResponse decodes an answer and checks its signature: every answer
// with return_status >= 00 must verify (else *UnverifiedError); a negative
// one comes unsigned, and is checked only if it carries a sign anyway. It
// does not judge the status: a verified "03" is a Response like "00".
func ParseResponse(secret string, raw []byte) (*Response, error) {
	fields, err := DecodeObject(raw)
	if err != nil {
		return nil, err
	}
	claimed := fields["return_status"]
	code, n, ok := normaliseStatus(claimed)
	if !ok {
		return nil, fmt.Errorf("%w (%q)", ErrNoStatus, claimed)
	}
	_, signed := fields["sign"]
	if (n >= 0 || signed) && !Verify(secret, fields) {
		return nil, &UnverifiedError{Claimed: claimed}
	}
	return &Response{Status: code, Fields: fields, Body: raw}, nil
}
