package relay_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/relay"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
	"qrpos/terminal"
)

// shop is a real terminal (its SQLite journal, the engine, both
// providers' gateways on the sandbox over loopback) with no notification
// listener: its notify_url is head office's, and notifications reach it
// only through its stream from head office.
type shop struct {
	o    *office
	sb   *sandbox.Server
	term *terminal.Terminal
	tid  string
}

// hour is a poll schedule that never polls within a test: only a
// notification can settle a sale.
var hour = checkout.PollSchedule{First: time.Hour, Fast: time.Hour, FastFor: time.Hour, Slow: time.Hour}

// fastPoll polls every 50 ms.
var fastPoll = checkout.PollSchedule{First: 50 * time.Millisecond, Fast: 50 * time.Millisecond, FastFor: time.Second, Slow: 50 * time.Millisecond}

func newShop(t testing.TB, o *office, tid string, poll, relayed checkout.PollSchedule) *shop {
	t.Helper()
	token := o.rig.Enrol(tid, "Central")
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000,
		NotifyRetry: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}})
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c := hqtest.OpenTerminal(t, hqtest.Terminal{TID: tid, Store: "Central", Sandbox: srv.URL, Eftpay: true,
		NotifyURL: o.URL() + "/notify/central", HQ: o.URL(), Token: token,
		Tune: func(c *checkout.Config) { c.Poll, c.RelayedPoll = poll, relayed }})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.StartRelay(ctx, terminal.RelayConfig{MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Idle: 20 * time.Millisecond})
	return &shop{o: o, sb: sb, term: c, tid: tid}
}

// connected waits for the terminal's stream to be up.
func (s *shop) connected(t testing.TB) {
	t.Helper()
	waitFor(t, "the stream", func() bool { return s.term.RelayStatus().Connected })
}

// sale charges minor cents with a provider's MPM method and waits for
// its QR; the customer has not paid yet.
func (s *shop) sale(t testing.TB, p payments.Provider, code string, minor int64) string {
	t.Helper()
	ctx := context.Background()
	w, err := s.term.Charge(ctx, checkout.ChargeRequest{Provider: p, MethodCode: code, Amount: payments.Money{Minor: minor, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	no := w.First().Order.OutTradeNo
	waitFor(t, "the QR of "+no, func() bool { o, _ := s.term.Journal().Order(ctx, no); return o.QRCode != "" })
	return no
}

// paidBy waits for order no to be paid and returns the kind of the event
// that made it paid (storage.EventNotification: a notification).
func (s *shop) paidBy(t testing.TB, no string) string {
	t.Helper()
	ctx := context.Background()
	waitFor(t, no+" paid", func() bool { o, _ := s.term.Journal().Order(ctx, no); return o.State == payments.Paid })
	evs, err := s.term.Journal().Events(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.StateTo == payments.Paid {
			return e.Kind
		}
	}
	t.Fatalf("%s paid without a paid event: %+v", no, evs)
	return ""
}

// notifications counts the verified notifications the journal took for no.
func (s *shop) notifications(t testing.TB, no string) int {
	t.Helper()
	evs, err := s.term.Journal().Events(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == storage.EventNotification {
			n++
		}
	}
	return n
}

// TestRelayedNotificationMarksSalePaid: the sandbox's notification goes
// to head office, which verifies, keeps and relays it; the terminal, with
// no listening port and no polling within the test, verifies it itself
// and the sale is paid by it. Both providers.
func TestRelayedNotificationMarksSalePaid(t *testing.T) {
	o := newOffice(t)
	s := newShop(t, o, "RL01", hour, hour)
	s.connected(t)
	for _, m := range []struct {
		p    payments.Provider
		code string
	}{{payments.QFPay, "800101"}, {payments.Eftpay, "ALIPAYHK"}} {
		no := s.sale(t, m.p, m.code, 1288)
		if err := s.sb.Pay(no, "success"); err != nil {
			t.Fatal(err)
		}
		if by := s.paidBy(t, no); by != storage.EventNotification {
			t.Fatalf("%s %s paid by %q; want a notification", m.p, no, by)
		}
	}
	waitFor(t, "the second notification taken", func() bool { return s.term.RelayStatus().LastEventID == 2 })
	if st := s.term.RelayStatus(); st.Relayed != 2 || st.Refused != 0 {
		t.Fatalf("relay status %+v", st)
	}
}

// TestTamperedNotificationRefused: head office alters the body it relays
// (a forged amount); the terminal's handler refuses it, since the
// provider's signature no longer verifies, and the sale is found paid by
// polling, never by the forged body.
func TestTamperedNotificationRefused(t *testing.T) {
	relay.SetTamper(func(b []byte) []byte { return bytes.Replace(b, []byte(`"txamt":"`), []byte(`"txamt":"9`), 1) })
	defer relay.SetTamper(nil)
	o := newOffice(t)
	s := newShop(t, o, "TM01", hour, hour)
	s.connected(t)
	no := s.sale(t, payments.QFPay, "800101", 1288)
	if err := s.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the forged notification refused", func() bool { return s.term.RelayStatus().Refused == 1 })
	if st := s.term.HQState(); st.RelayRefused != 1 {
		t.Fatalf("the status bar's state counts %d refused notifications", st.RelayRefused)
	}
	if o, _ := s.term.Journal().Order(context.Background(), no); o.State == payments.Paid {
		t.Fatal("the forged notification paid the sale")
	}
	s.term.Engine().SetNotificationsFlowing(false) // nudges the sale: it queries now
	if by := s.paidBy(t, no); by == storage.EventNotification {
		t.Fatalf("paid by a notification")
	}
	if n := s.notifications(t, no); n != 0 {
		t.Fatalf("the journal took %d notifications for %s", n, no)
	}
	if paid, _ := s.term.Journal().Order(context.Background(), no); paid.Amount.Minor != 1288 {
		t.Fatalf("amount %d", paid.Amount.Minor)
	}
}

// TestRelayDownSaleFoundByPolling: with head office stopped the terminal
// polls on its own schedule and finds the sale paid; when head office
// comes back the stream is up again and the next sale is paid by its
// relayed notification.
func TestRelayDownSaleFoundByPolling(t *testing.T) {
	o := newOffice(t)
	s := newShop(t, o, "DN01", fastPoll, hour)
	s.connected(t)
	if !s.term.Engine().NotificationsFlowing() {
		t.Fatal("the stream is up, yet the engine polls as if notifications did not flow")
	}
	o.stop()
	waitFor(t, "the stream down", func() bool { return !s.term.RelayStatus().Connected })
	if s.term.Engine().NotificationsFlowing() {
		t.Fatal("head office is down, yet the engine polls slowly")
	}
	no := s.sale(t, payments.QFPay, "800101", 1288)
	if err := s.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	if by := s.paidBy(t, no); by == storage.EventNotification {
		t.Fatalf("paid by a notification while head office was down")
	}
	if st := s.term.RelayStatus(); st.Err == "" {
		t.Fatalf("no error while head office is down: %+v", st)
	}
	o.start()
	s.connected(t)
	if !s.term.Engine().NotificationsFlowing() {
		t.Fatal("the stream is up again, yet the engine polls as if notifications did not flow")
	}
	next := s.sale(t, payments.QFPay, "800101", 1300)
	if err := s.sb.Pay(next, "success"); err != nil {
		t.Fatal(err)
	}
	if by := s.paidBy(t, next); by != storage.EventNotification {
		t.Fatalf("after head office came back, paid by %q", by)
	}
}

// TestNotificationWhileAwayDeliveredOnce: a notification head office kept
// while the terminal's stream was cut (the provider still reached head
// office) reaches the terminal when it connects again, once, and pays the
// sale; a later reconnection (with Last-Event-ID) does not bring it again.
func TestNotificationWhileAwayDeliveredOnce(t *testing.T) {
	o := newOffice(t)
	s := newShop(t, o, "AW01", hour, hour)
	s.connected(t)
	o.blockStreams(true)
	waitFor(t, "the stream cut", func() bool { return !s.term.RelayStatus().Connected })
	no := s.sale(t, payments.QFPay, "800101", 1288)
	if err := s.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "head office keeping the notification", func() bool { return len(o.kept()) == 1 })
	if o, _ := s.term.Journal().Order(context.Background(), no); o.State == payments.Paid {
		t.Fatal("paid while the stream was cut")
	}
	o.blockStreams(false)
	if by := s.paidBy(t, no); by != storage.EventNotification {
		t.Fatalf("paid by %q; want the notification kept while away", by)
	}
	o.blockStreams(true)
	waitFor(t, "the stream cut again", func() bool { return !s.term.RelayStatus().Connected })
	o.blockStreams(false)
	s.connected(t)
	next := s.sale(t, payments.QFPay, "800101", 1300)
	if err := s.sb.Pay(next, "success"); err != nil {
		t.Fatal(err)
	}
	if by := s.paidBy(t, next); by != storage.EventNotification {
		t.Fatalf("the next sale paid by %q", by)
	}
	waitFor(t, "the second notification taken", func() bool { return s.term.RelayStatus().LastEventID == 2 })
	if st := s.term.RelayStatus(); st.Relayed != 2 || st.Err != "" || !st.Connected {
		t.Fatalf("relay status %+v: want each notification taken once", st)
	}
	if n := s.notifications(t, no); n != 1 {
		t.Fatalf("%d notifications journalled for %s", n, no)
	}
}

// waitFor polls cond until it holds (a guard against hanging, not a
// measure of time).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
