package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"qrpos/payments/sandbox"
)

// Sandbox is what a crash test does to the providers' sandbox: the same
// whether it runs in the test's process (Local) or as `pos sandbox` (Remote,
// through its control endpoints).
type Sandbox interface {
	// URL is the base URL both providers are served under.
	URL() string
	InjectFault(f sandbox.Fault) error
	ClearFaults() error
	// WaitHeld waits until a call with an ID above after is held (FaultHold).
	WaitHeld(ctx context.Context, after int) ([]sandbox.Held, error)
	// Holding lists the calls held now.
	Holding() ([]sandbox.Held, error)
	Release(id int) error
	// Pay plays the customer ("success" or "fail").
	Pay(outTradeNo, outcome string) error
	Orders() ([]sandbox.OrderView, error)
	Requests() ([]sandbox.Request, error)
}

// Local is a sandbox in the test's own process, served on loopback.
type Local struct {
	S    *sandbox.Server
	Base string
}

// URL implements Sandbox.
func (l Local) URL() string { return l.Base }

// InjectFault implements Sandbox.
func (l Local) InjectFault(f sandbox.Fault) error { return l.S.InjectFault(f) }

// ClearFaults implements Sandbox.
func (l Local) ClearFaults() error { l.S.ClearFaults(); return nil }

// WaitHeld implements Sandbox.
func (l Local) WaitHeld(ctx context.Context, after int) ([]sandbox.Held, error) {
	return l.S.WaitHeld(ctx, after)
}

// Holding implements Sandbox.
func (l Local) Holding() ([]sandbox.Held, error) { return l.S.Holding(), nil }

// Release implements Sandbox.
func (l Local) Release(id int) error {
	if !l.S.Release(id) {
		return fmt.Errorf("no call %d is held", id)
	}
	return nil
}

// Pay implements Sandbox.
func (l Local) Pay(no, outcome string) error { return l.S.Pay(no, outcome) }

// Orders implements Sandbox.
func (l Local) Orders() ([]sandbox.OrderView, error) { return l.S.Orders(), nil }

// Requests implements Sandbox.
func (l Local) Requests() ([]sandbox.Request, error) { return l.S.Requests(), nil }

// Remote is a sandbox in another process (`pos sandbox`), driven through
// its control endpoints: /sandbox/faults, /sandbox/held (a long poll),
// /sandbox/release, /sandbox/pay, /sandbox/orders and /sandbox/requests.
type Remote struct {
	Base string
}

// URL implements Sandbox.
func (r Remote) URL() string { return r.Base }

var client = &http.Client{Timeout: 2 * time.Minute}

func (r Remote) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.Base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sandbox %s %s: HTTP %d: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// InjectFault implements Sandbox.
func (r Remote) InjectFault(f sandbox.Fault) error {
	return r.do(context.Background(), http.MethodPost, "/sandbox/faults", f, nil)
}

// ClearFaults implements Sandbox.
func (r Remote) ClearFaults() error {
	return r.do(context.Background(), http.MethodDelete, "/sandbox/faults", nil, nil)
}

// WaitHeld implements Sandbox with the long poll GET /sandbox/held.
func (r Remote) WaitHeld(ctx context.Context, after int) ([]sandbox.Held, error) {
	for {
		var held []sandbox.Held
		if err := r.do(ctx, http.MethodGet, "/sandbox/held?wait=10s&after="+strconv.Itoa(after), nil, &held); err != nil {
			return nil, err
		}
		if len(held) > 0 {
			return held, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// Holding implements Sandbox.
func (r Remote) Holding() ([]sandbox.Held, error) {
	var held []sandbox.Held
	err := r.do(context.Background(), http.MethodGet, "/sandbox/held", nil, &held)
	return held, err
}

// Release implements Sandbox.
func (r Remote) Release(id int) error {
	return r.do(context.Background(), http.MethodPost, "/sandbox/release", map[string]int{"id": id}, nil)
}

// Pay implements Sandbox.
func (r Remote) Pay(no, outcome string) error {
	return r.do(context.Background(), http.MethodPost, "/sandbox/pay",
		map[string]string{"out_trade_no": no, "outcome": outcome}, nil)
}

// Orders implements Sandbox.
func (r Remote) Orders() ([]sandbox.OrderView, error) {
	var out []sandbox.OrderView
	err := r.do(context.Background(), http.MethodGet, "/sandbox/orders", nil, &out)
	return out, err
}

// Requests implements Sandbox.
func (r Remote) Requests() ([]sandbox.Request, error) {
	var out []sandbox.Request
	err := r.do(context.Background(), http.MethodGet, "/sandbox/requests", nil, &out)
	return out, err
}
