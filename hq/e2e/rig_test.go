// Package e2e_test runs a real terminal (qrpos/terminal, its SQLite
// journal and uploader, the provider sandbox over loopback HTTP) against a
// real head office (qrpos/hq on a throwaway PostgreSQL): what one side
// writes, the other must hold, exactly once.
package e2e_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/terminal"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rig is a head office, a sandbox and one enrolled terminal linked to it.
type rig struct {
	hq   *hqtest.Rig
	sb   *sandbox.Server
	term *terminal.Terminal
	tid  string
}

func newRig(t testing.TB, tid string) *rig {
	t.Helper()
	r, tm := newStandalone(t, tid)
	tm.HQ, tm.Token = r.hq.Server.URL, r.hq.Enrol(tid, "Central")
	r.term = hqtest.OpenTerminal(t, tm)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.term.StartHQ(ctx, "e2e") // the shipped settings: a look at the outbox every second
	return r
}

// newStandalone is a head office and a sandbox, and the profile of a
// terminal at the sandbox that head office has not enrolled yet (tm; not
// opened).
func newStandalone(t testing.TB, tid string) (*rig, hqtest.Terminal) {
	t.Helper()
	r := &rig{hq: hqtest.New(t), tid: tid}
	r.sb = sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	t.Cleanup(r.sb.Close)
	srv := httptest.NewServer(r.sb.Handler())
	t.Cleanup(srv.Close)
	return r, hqtest.Terminal{TID: tid, Store: "Central", Sandbox: srv.URL, Dir: t.TempDir(),
		Tune: func(c *checkout.Config) {
			c.Poll = checkout.PollSchedule{First: 20 * time.Millisecond, Fast: 20 * time.Millisecond, FastFor: time.Second, Slow: 50 * time.Millisecond}
		}}
}

// sale charges amount cents by Alipay's QR and has the sandbox's customer
// pay; it returns the order as the journal has it once paid.
func (r *rig) sale(t testing.TB, amount int64) payments.Order {
	t.Helper()
	ctx := context.Background()
	w, err := r.term.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800101",
		Amount: payments.Money{Minor: amount, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	no := w.First().Order.OutTradeNo
	waitFor(t, "the QR of "+no, func() bool { o, _ := r.term.Journal().Order(ctx, no); return o.QRCode != "" })
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	var paid payments.Order
	waitFor(t, no+" paid", func() bool {
		paid, _ = r.term.Journal().Order(ctx, no)
		return paid.State == payments.Paid
	})
	return paid
}

// caughtUp waits until head office holds everything the terminal has,
// and returns head office's orders of the terminal from the last hour.
func (r *rig) caughtUp(t testing.TB) []store.Order {
	t.Helper()
	waitFor(t, "head office holding everything", func() bool {
		backlog, last, _ := r.term.HQStatus()
		return backlog == 0 && !last.IsZero()
	})
	got, err := r.hq.DB.Orders(context.Background(), store.OrderFilter{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour), TID: r.tid})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// waitFor polls cond until it holds (a guard against hanging, not a
// measure of time).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
