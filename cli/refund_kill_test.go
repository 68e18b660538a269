package cli

import (
	"fmt"
	"testing"
	"time"

	"qrpos/internal/crashtest"
	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// TestRefundKilledAtChosenPoints kills `pos refund` after the refund is
// journalled as being sent and before the request, after the provider made
// it and before the answer is journalled (a killpoint, and a held answer),
// and while the provider never received it; and, without a kill, a refund
// whose answer is lost. After reconcile the refund is
// done exactly when the provider made it, the order's refunded total is
// the provider's, no refund number went out twice, a done refund has its
// receipt; and a new refund of what is left then goes through.
func TestRefundKilledAtChosenPoints(t *testing.T) {
	cases := []struct {
		provider, method string
		amount           string // "" refunds all that is left
		kill             kill
		done             bool // the refund ends done
		sent             int  // refund requests the provider received
	}{
		{"qfpay", "800208", "", at(killpoint.RefundJournalled), false, 0},
		{"qfpay", "800208", "4.00", at(killpoint.RefundAnswered), true, 1},
		{"qfpay", "800208", "4.00", heldAfter(sandbox.OpRefund), true, 1},
		{"qfpay", "800008", "", heldBefore(sandbox.OpRefund), false, 1},
		{"eftpay", "ALIPAYHK", "4.00", at(killpoint.RefundJournalled), false, 0},
		{"eftpay", "ALIPAYHK", "", at(killpoint.RefundAnswered), true, 1},
		{"eftpay", "WECHATHK", "4.00", heldAfter(sandbox.OpRefund), true, 1},
		{"eftpay", "PAYME", "", heldBefore(sandbox.OpRefund), false, 1},
		{"qfpay", "800208", "4.00", dropped(sandbox.OpRefund), true, 1},
		{"eftpay", "ALIPAYHK", "", dropped(sandbox.OpRefund), true, 1},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%02d_%s_%s_%s_%s", i, c.provider, c.method, c.amount, c.kill), func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{})
			no := r.PaidSale(c.provider, c.method, "10.00")
			args := []string{"refund", "--order", no}
			if c.amount != "" {
				args = append(args, "--amount", c.amount)
			}
			c.kill.do(r, args)
			r.AfterKill()
			rs := r.Refunds(no)
			if len(rs) != 1 {
				t.Fatalf("%d refunds in the journal, want 1: %+v", len(rs), rs)
			}
			if got := rs[0].State == payments.RefundDone; got != c.done {
				t.Fatalf("refund %s ended %s (%s), want done %v", rs[0].RefundNo, rs[0].State, rs[0].Reason, c.done)
			}
			if sent := len(refundRequests(r, rs[0].RefundNo)); sent != c.sent {
				t.Fatalf("the provider received %d requests for refund %s, want %d", sent, rs[0].RefundNo, c.sent)
			}
			// What is left can be refunded, once.
			if r.Order(no).Refundable().Minor == 0 {
				return
			}
			if p, ex := r.Run(time.Minute, nil, "refund", "--order", no); ex.Code != 0 {
				t.Fatalf("refunding what is left after the crash: %+v\n%s", ex, p.Output())
			}
			r.Check()
			if o := r.Order(no); o.State != payments.Refunded {
				t.Fatalf("after refunding what was left the order is %s, refunded %s", o.State, o.Refunded.Decimal())
			}
		})
	}
}

func refundRequests(r *crashtest.Rig, refundNo string) []sandbox.Request {
	var out []sandbox.Request
	for _, c := range r.Requests(refundNo) {
		if c.Op == sandbox.OpRefund {
			out = append(out, c)
		}
	}
	return out
}

// TestRefundAgainWhileFirstUnknown: the provider made a partial refund and
// the terminal died before it knew. The cashier, not knowing either, asks
// for the same refund again at once, before any reconcile. No second refund
// of the order may go out while the first is open: the second command is
// refused, or (should `pos refund` learn the first one's fate first) made
// only after the first was settled. Afterwards journal and provider agree
// to the cent.
func TestRefundAgainWhileFirstUnknown(t *testing.T) {
	for _, c := range []struct{ provider, method string }{{"qfpay", "800208"}, {"eftpay", "ALIPAYHK"}} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{})
			no := r.PaidSale(c.provider, c.method, "10.00")
			r.KillWhenHeld(sandbox.Fault{Stage: sandbox.HoldAfter, Op: sandbox.OpRefund}, "refund", "--order", no, "--amount", "4.00")
			p, ex := r.Run(time.Minute, nil, "refund", "--order", no, "--amount", "4.00")
			rs := r.Refunds(no)
			switch {
			case len(rs) == 1 && ex.Code != 0:
				// Refused while the first is open.
			case len(rs) == 2 && rs[0].State.Settled() && !rs[1].CreatedAt.Before(rs[0].UpdatedAt):
				// The first was settled before the second was made.
			default:
				t.Fatalf("a second refund while the first was open: %+v\n%s", rs, p.Output())
			}
			r.AfterKill()
			if rs := r.Refunds(no); rs[0].State != payments.RefundDone {
				t.Fatalf("the provider made the first refund; the journal says %s", rs[0].State)
			}
		})
	}
}

// TestRefundArrivesLate: the refund request is still on its way (the
// provider processes it 1.5 s late) when the terminal dies; reconcile
// starts at once and finds no such refund at first. A refund whose outcome
// is unknown must not be taken as failed on the first "not found": when the
// provider makes it, the journal must say done.
func TestRefundArrivesLate(t *testing.T) {
	for _, c := range []struct{ provider, method string }{{"qfpay", "800208"}, {"eftpay", "ALIPAYHK"}} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{NotFoundGiveUp: 30 * time.Second})
			no := r.PaidSale(c.provider, c.method, "10.00")
			if err := r.SB.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Op: sandbox.OpRefund, Latency: 1500 * time.Millisecond, Count: 1}); err != nil {
				t.Fatal(err)
			}
			p := r.Start(nil, "refund", "--order", no, "--amount", "3.00")
			for deadline := time.Now().Add(10 * time.Second); len(refundRequestsOf(r, no)) == 0; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					p.Kill()
					p.Wait(10 * time.Second)
					t.Fatalf("the refund was never sent:\n%s", p.Output())
				}
			}
			p.Kill()
			p.Wait(10 * time.Second)
			// Reconcile at once: the refund is not at the provider yet.
			if p, ex := r.Run(time.Minute, nil, "reconcile", "--json"); ex.Code == 0 {
				if v, _ := r.SandboxOrder(no); v.Refunded == "0.00" {
					t.Logf("reconcile exited 0 before the refund landed:\n%s", p.Output())
				}
			}
			r.AfterKill()
			rs := r.Refunds(no)
			if len(rs) != 1 || rs[0].State != payments.RefundDone {
				t.Fatalf("the provider made the refund late; the journal says %+v", rs)
			}
		})
	}
}

func refundRequestsOf(r *crashtest.Rig, saleNo string) []sandbox.Request {
	var out []sandbox.Request
	for _, c := range r.Requests("") {
		if c.Op == sandbox.OpRefund && (c.OutTradeNo == saleNo || c.OutTradeNo == "") {
			out = append(out, c)
		}
	}
	return out
}

// TestRefundWithNotifications: with notify_listen set, the provider's
// notification that a refund is done can arrive while `pos refund` is
// still reading the answer to it. The refund is done either way: pos
// refund must say so (exit 0), and journal and provider must agree.
func TestRefundWithNotifications(t *testing.T) {
	for _, c := range []struct{ provider, method string }{{"qfpay", "800208"}, {"eftpay", "ALIPAYHK"}} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{Notify: true})
			no := r.PaidSale(c.provider, c.method, "10.00")
			for i := 0; i < 8; i++ { // the race is won and lost by turns: try it often
				if p, ex := r.Run(time.Minute, nil, "refund", "--order", no, "--amount", "1.00"); ex.Code != 0 {
					t.Errorf("refund %d of a sale the provider refunded: %+v\n%s", i+1, ex, p.Output())
				}
			}
			r.AfterKill()
			if o := r.Order(no); o.Refunded.Decimal() != "8.00" {
				t.Fatalf("refunded %s, want 8.00", o.Refunded.Decimal())
			}
		})
	}
}
