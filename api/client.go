package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client speaks the local API: over the terminal's Unix socket
// (NewSocketClient) or over TCP with the bearer token (NewTCPClient).
type Client struct {
	base  string // "http://pos" for the socket
	token string
	hc    *http.Client
}

// NewSocketClient talks to the API on the Unix socket at path.
func NewSocketClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConnsPerHost: 4,
	}
	return &Client{base: "http://pos", hc: &http.Client{Transport: tr}}
}

// NewTCPClient talks to the API at baseURL ("http://10.0.0.5:8787", or
// https with tlsConfig) with the terminal's api_token.
func NewTCPClient(baseURL, token string, tlsConfig *tls.Config) *Client {
	tr := &http.Transport{TLSClientConfig: tlsConfig, MaxIdleConnsPerHost: 4}
	return &Client{base: strings.TrimSuffix(baseURL, "/"), token: token, hc: &http.Client{Transport: tr}}
}

// Close drops the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// do sends a request and decodes a 2xx answer into out; any other answer
// is an *Error.
func (c *Client) do(ctx context.Context, method, path string, header http.Header, in, out any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp, err
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{}
		if json.Unmarshal(b, e) != nil || e.Code == "" {
			e = &Error{Code: "http", Message: strings.TrimSpace(string(b))}
		}
		e.Status = resp.StatusCode
		return resp, e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp, nil
}

// CreateCharge asks for a charge under the till's idempotency key; replayed
// is true when the key had already made it.
func (c *Client) CreateCharge(ctx context.Context, key string, req ChargeRequest) (ch Charge, replayed bool, err error) {
	resp, err := c.do(ctx, http.MethodPost, "/v1/charges", http.Header{"Idempotency-Key": {key}}, req, &ch)
	if err == nil {
		replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	}
	return ch, replayed, err
}

// Charge reads a charge; with wait > 0 it returns as soon as the charge is
// settled, or when wait is over.
func (c *Client) Charge(ctx context.Context, id string, wait time.Duration) (Charge, error) {
	var ch Charge
	path := "/v1/charges/" + url.PathEscape(id)
	if wait > 0 {
		path += "?wait=" + wait.String()
	}
	_, err := c.do(ctx, http.MethodGet, path, nil, nil, &ch)
	return ch, err
}

// Cancel ends a charge in progress and returns it once the provider
// confirmed.
func (c *Client) Cancel(ctx context.Context, id string) (Charge, error) {
	var ch Charge
	_, err := c.do(ctx, http.MethodPost, "/v1/charges/"+url.PathEscape(id)+"/cancel", nil, nil, &ch)
	return ch, err
}

// Refund refunds a sale, fully or in part, with no idempotency key: each
// call is a new refund.
func (c *Client) Refund(ctx context.Context, req RefundRequest) (Refund, error) {
	var r Refund
	_, err := c.do(ctx, http.MethodPost, "/v1/refunds", nil, req, &r)
	return r, err
}

// RefundOnce refunds a sale under the caller's idempotency key: the same
// key again returns the refund it made and never refunds twice; replayed
// is true then.
func (c *Client) RefundOnce(ctx context.Context, key string, req RefundRequest) (r Refund, replayed bool, err error) {
	resp, err := c.do(ctx, http.MethodPost, "/v1/refunds", http.Header{"Idempotency-Key": {key}}, req, &r)
	if err == nil {
		replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	}
	return r, replayed, err
}

// Orders lists a day's orders (date yyyy-mm-dd; empty: today).
func (c *Client) Orders(ctx context.Context, date string) (OrderList, error) {
	var l OrderList
	_, err := c.do(ctx, http.MethodGet, "/v1/orders?date="+url.QueryEscape(date), nil, nil, &l)
	return l, err
}

// Report is a day's end-of-day report (date yyyy-mm-dd; empty: today).
func (c *Client) Report(ctx context.Context, date string) (Report, error) {
	var r Report
	_, err := c.do(ctx, http.MethodGet, "/v1/report?date="+url.QueryEscape(date), nil, nil, &r)
	return r, err
}

// Reconciliation compares a Hong Kong day (yyyy-mm-dd; "": today) with
// the providers' records (GET /v1/reconciliation): it may take minutes.
func (c *Client) Reconciliation(ctx context.Context, date string) (Reconciliation, error) {
	var r Reconciliation
	_, err := c.do(ctx, http.MethodGet, "/v1/reconciliation?date="+url.QueryEscape(date), nil, nil, &r)
	return r, err
}

// UnlockPIN lifts the manager PIN's lockout (POST /v1/pin/unlock).
func (c *Client) UnlockPIN(ctx context.Context) (PINUnlock, error) {
	var out PINUnlock
	_, err := c.do(ctx, http.MethodPost, "/v1/pin/unlock", nil, struct{}{}, &out)
	return out, err
}

// Status is the terminal's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	_, err := c.do(ctx, http.MethodGet, "/v1/status", nil, nil, &s)
	return s, err
}

// Events streams the terminal's events until ctx ends or the stream
// breaks; the channel is closed then.
func (c *Client) Events(ctx context.Context) (<-chan Event, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		e := &Error{}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, e) != nil || e.Code == "" {
			e = &Error{Code: "http", Message: strings.TrimSpace(string(b))}
		}
		e.Status = resp.StatusCode
		return nil, e
	}
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var data []byte
		for sc.Scan() {
			line := sc.Bytes()
			switch {
			case len(line) == 0:
				if len(data) > 0 {
					var ev Event
					if json.Unmarshal(data, &ev) == nil {
						select {
						case ch <- ev:
						case <-ctx.Done():
							return
						}
					}
				}
				data = data[:0]
			case bytes.HasPrefix(line, []byte("data:")):
				data = append(data, bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))...)
			}
		}
	}()
	return ch, nil
}
