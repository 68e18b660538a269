package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"qrpos/payments/checkout"
)

// TestEventStream: a till on /v1/events sees its charge created, its QR
// code and its state changes, with its id and reference.
func TestEventStream(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := mustCharge(t, r.c, "ev-1", ChargeRequest{Amount: "42.00", Currency: "HKD", Method: "eftpay:ALIPAYHK", Reference: "till-42"})
	if err := r.sb.Pay(c.ID, "success"); err != nil {
		t.Fatal(err)
	}
	seen := map[string]Event{}
	deadline := time.After(10 * time.Second)
	for seen["state/paid"].Kind == "" {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Charge == nil || ev.Charge.ID != c.ID {
				continue
			}
			key := ev.Kind
			if ev.Kind == "state" {
				key += "/" + ev.Charge.State
			}
			seen[key] = ev
		case <-deadline:
			t.Fatalf("events seen: %v", seen)
		}
	}
	if ev := seen["created"]; ev.Origin != "till" || ev.Charge.Amount != "42.00" {
		t.Fatalf("created: %+v", ev)
	}
	if ev := seen["qr"]; ev.Charge == nil || ev.Charge.QRCode == "" {
		t.Fatalf("qr: %+v", ev)
	}
	if ev := seen["state/paid"]; ev.Charge.ProviderRef == "" || ev.Charge.Reference != "till-42" {
		t.Fatalf("paid: %+v", ev.Charge)
	}
}

// TestLongRequestsOutliveTheListenerTimeouts: a long-poll and an event
// stream go on past the listener's read and write timeouts (which cut
// ordinary requests short), and the event stream sends its heartbeat.
func TestLongRequestsOutliveTheListenerTimeouts(t *testing.T) {
	lim := checkout.NotifyLimits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond,
		WriteTimeout: 300 * time.Millisecond, IdleTimeout: time.Second}
	r := newRig(t, rigOptions{limits: lim, heartbeat: 100 * time.Millisecond})
	c := mustCharge(t, r.c, "lp-1", ChargeRequest{Amount: "9.00", Currency: "HKD", Method: "eftpay:ALIPAYHK"})

	// Raw event stream: heartbeats, then the payment, past the timeouts.
	conn, err := net.Dial("unix", r.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /v1/events HTTP/1.1\r\nHost: pos\r\n\r\n"))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %v %v", resp, err)
	}
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	start := time.Now()
	poll := make(chan error, 1)
	go func() {
		// On a connection of its own: a pooled one would let net/http
		// retry a GET whose answer was cut, and hide the cut.
		pc, err := net.Dial("unix", r.sock)
		if err != nil {
			poll <- err
			return
		}
		defer pc.Close()
		fmt.Fprintf(pc, "GET /v1/charges/%s?wait=3s HTTP/1.1\r\nHost: pos\r\n\r\n", c.ID)
		resp, err := http.ReadResponse(bufio.NewReader(pc), nil)
		if err != nil {
			poll <- err
			return
		}
		var got Charge
		err = json.NewDecoder(resp.Body).Decode(&got)
		if err == nil && (resp.StatusCode != 200 || got.State != "paid") {
			err = fmt.Errorf("%d %s", resp.StatusCode, got.State)
		}
		poll <- err
	}()
	time.Sleep(time.Second) // three times the listener's timeouts
	if err := r.sb.Pay(c.ID, "success"); err != nil {
		t.Fatal(err)
	}
	if err := <-poll; err != nil || time.Since(start) < time.Second {
		t.Fatalf("long-poll: %v after %s", err, time.Since(start))
	}
	heartbeats, paid := 0, false
	deadline := time.After(5 * time.Second)
	for !paid {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream was cut after %s (%d heartbeats)", time.Since(start), heartbeats)
			}
			if l == ": heartbeat" {
				heartbeats++
			}
			if strings.HasPrefix(l, "data: ") && strings.Contains(l, `"state":"paid"`) && strings.Contains(l, c.ID) {
				paid = true
			}
		case <-deadline:
			t.Fatalf("no paid event; %d heartbeats", heartbeats)
		}
	}
	if heartbeats < 5 {
		t.Fatalf("%d heartbeats in %s", heartbeats, time.Since(start))
	}
	// Closing the server ends the stream at once.
	closed := make(chan struct{})
	go func() { r.stop(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the event stream")
	}
}

// TestEventsFollowAReplacedEngine: when the terminal replaces its engine
// (the manager saved the settings), the open event stream and new charges
// go to the new one.
func TestEventsFollowAReplacedEngine(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e2 := r.replaceEngine()
	time.Sleep(1500 * time.Millisecond) // the stream looks for a new engine every second
	c := mustCharge(t, r.c, "swap-1", ChargeRequest{Amount: "3.00", Currency: "HKD", Method: "eftpay:ALIPAYHK"})
	if live := e2.Sales(); len(live) != 1 || live[0].Order.OutTradeNo != c.ID {
		t.Fatalf("the charge did not go to the new engine: %v", live)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Kind == "qr" && ev.Charge != nil && ev.Charge.ID == c.ID {
				return
			}
		case <-deadline:
			t.Fatal("no event from the new engine")
		}
	}
}
