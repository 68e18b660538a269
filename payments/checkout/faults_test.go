package checkout

import (
	"context"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// TestUnknownOutcomes: whatever the fault, an order is never sent twice and
// ends where the sandbox says it is.
func TestUnknownOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		fault   sandbox.Fault
		p       payments.Provider
		code    string
		auth    string
		payLate bool // the sandbox marks it paid while the engine is unsure
		want    payments.State
	}{
		// MPM: the QR never reached the terminal, so nobody can pay it: closed.
		{"eftpay drop", sandbox.Fault{Kind: sandbox.FaultDrop, Count: 1}, payments.Eftpay, "ALIPAYHK", "", false, payments.Closed},
		{"eftpay 5xx", sandbox.Fault{Kind: sandbox.Fault5xx, Count: 1}, payments.Eftpay, "ALIPAYHK", "", false, payments.Closed},
		{"eftpay bad signature", sandbox.Fault{Kind: sandbox.FaultBadSignature, Count: 1}, payments.Eftpay, "UNIONPAY", "", false, payments.Closed},
		{"eftpay latency", sandbox.Fault{Kind: sandbox.FaultLatency, Count: 1, Latency: 600 * time.Millisecond}, payments.Eftpay, "ATOME", "", false, payments.Closed},
		{"qfpay mpm drop", sandbox.Fault{Kind: sandbox.FaultDrop, Count: 1}, payments.QFPay, "800201", "", false, payments.Closed},
		// CPM: the customer's money may have moved; the query tells.
		{"qfpay cpm drop paid", sandbox.Fault{Kind: sandbox.FaultDrop, Count: 1}, payments.QFPay, "800208", "134567890123456700", false, payments.Paid},
		// A "not found" right after an unknown send proves nothing: the
		// payment may still land. It stays unknown (the engine keeps
		// checking; see TestUnknownCPMNotFoundEndsAfterGiveUp).
		{"qfpay cpm 5xx never created", sandbox.Fault{Kind: sandbox.Fault5xx, Count: 1}, payments.QFPay, "800208", "134567890123456700", false, payments.Unknown},
		{"qfpay cpm garbage answer", sandbox.Fault{Kind: sandbox.FaultBadSignature, Count: 1}, payments.QFPay, "800208", "134567890123456700", false, payments.Paid},
		{"qfpay cpm latency pending then paid", sandbox.Fault{Kind: sandbox.FaultLatency, Count: 1, Latency: 600 * time.Millisecond}, payments.QFPay, "800208", "134567890123456745", false, payments.Paid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{callTime: 300 * time.Millisecond, cpm: 2 * time.Second})
			tt.fault.Provider = string(tt.p)
			if err := r.sb.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			s := r.charge(tt.p, tt.code, 1500, tt.auth)
			o := r.wait(s)
			if o.State != tt.want {
				t.Fatalf("order = %s (%s), want %s", o.State, o.Reason, tt.want)
			}
			if paid := r.sandboxPaid(o.OutTradeNo); paid != (o.State == payments.Paid) {
				t.Fatalf("journal says %s, sandbox paid=%v", o.State, paid)
			}
			// Never resent: exactly one payment request in the log.
			evs, _ := r.j.Events(context.Background(), o.OutTradeNo)
			pays := 0
			for _, ev := range evs {
				if ev.Kind == "request" && len(ev.Detail) > 4 && ev.Detail[:4] == "pay " {
					pays++
				}
			}
			if pays != 1 {
				t.Fatalf("%d payment requests for one order", pays)
			}
		})
	}
}

func TestDuplicateAndLateNotificationsChangeNothing(t *testing.T) {
	r := newRig(t, rigOptions{notify: true, timeout: time.Minute})
	ctx := context.Background()
	s := r.charge(payments.Eftpay, "ALIPAYHK", 700, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	r.sb.Pay(s.Order.OutTradeNo, "success")
	o := r.wait(s)
	if o.State != payments.Paid {
		t.Fatalf("order = %s", o.State)
	}
	before, _ := r.j.Events(ctx, o.OutTradeNo)
	// The same verified notification again, and a late "pending" one.
	n := payments.Notification{Provider: payments.Eftpay, OutTradeNo: o.OutTradeNo, State: payments.Paid, Amount: o.Amount}
	if err := r.e.HandleNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	n.State = payments.Pending
	if err := r.e.HandleNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	n.State = payments.Closed
	if err := r.e.HandleNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	after, _ := r.e.j.Order(ctx, o.OutTradeNo)
	if after.State != payments.Paid {
		t.Fatalf("late notifications moved the order to %s", after.State)
	}
	evs, _ := r.j.Events(ctx, o.OutTradeNo)
	for _, ev := range evs[len(before):] {
		if ev.StateTo != "" {
			t.Fatalf("a late notification changed state: %+v", ev)
		}
	}
	// A notification whose amount differs is refused.
	n.State, n.Amount = payments.Paid, hkd(1)
	if err := r.e.HandleNotification(ctx, n); err == nil {
		t.Fatal("amount mismatch accepted")
	}
	// One for an order this journal does not have is acknowledged and ignored.
	if err := r.e.HandleNotification(ctx, payments.Notification{Provider: payments.QFPay, OutTradeNo: "OTHER1", State: payments.Paid}); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryFinishesInterruptedSales(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{timeout: time.Minute, poll: PollSchedule{First: time.Minute, Fast: time.Minute, FastFor: time.Minute, Slow: time.Minute}})
	paid := r.charge(payments.Eftpay, "WECHATHK", 1000, "")
	r.waitUpdate(paid.Order.OutTradeNo, UpdateQR)
	unpaid := r.charge(payments.QFPay, "800101", 2000, "")
	r.waitUpdate(unpaid.Order.OutTradeNo, UpdateQR)
	// The terminal dies with both sales open; one customer pays meanwhile.
	r.e.Close()
	r.sb.Pay(paid.Order.OutTradeNo, "success")
	open, _ := r.j.OpenOrders(ctx)
	if len(open) != 2 {
		t.Fatalf("open orders before recovery = %d", len(open))
	}
	e2, err := New(r.j, r.e.cfg, r.eft, r.qf)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	rec, err := e2.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != 2 || rec[0].To != "paid" || rec[1].To != "closed" {
		t.Fatalf("recovered = %+v", rec)
	}
	if open, _ := r.j.OpenOrders(ctx); len(open) != 0 {
		t.Fatalf("still open after recovery: %d", len(open))
	}
	if r.sandboxPaid(unpaid.Order.OutTradeNo) {
		t.Fatal("the closed order is paid at the sandbox")
	}
}
