package cli

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"qrpos/internal/crashtest"
	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// TestReconcileKilled kills `pos reconcile` itself while it finishes an
// interrupted sale or refund: after the provider answered its query, after
// it answered the close, while the close is held before the provider got
// it (and the customer then pays: the order is still payable, so it must
// end paid), and while a refund's query is held. The next reconcile
// finishes the job.
func TestReconcileKilled(t *testing.T) {
	cases := []struct {
		provider, method string
		kill             kill
		customerPays     bool
		want             payments.State
	}{
		{"eftpay", "ALIPAYHK", at(killpoint.QueryAnswered), false, payments.Closed},
		{"qfpay", "800101", at(killpoint.CloseAnswered), false, payments.Closed},
		{"eftpay", "WECHATHK", at(killpoint.CloseAnswered), false, payments.Closed},
		{"eftpay", "ALIPAYHK", heldBefore(sandbox.OpClose), true, payments.Paid},
		{"qfpay", "800101", heldBefore(sandbox.OpReversal), true, payments.Paid},
		{"qfpay", "800208", heldAfter(sandbox.OpClose), false, payments.Closed},
		{"qfpay", "800201", heldAfter(sandbox.OpQuery), true, payments.Paid},
	}
	for i, c := range cases {
		name := fmt.Sprintf("%02d_%s_%s_%s", i, c.provider, c.method, c.kill)
		if c.customerPays {
			name += "_customer_pays"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{})
			code := ""
			if method(t, c.provider, c.method).Mode == payments.CPM {
				code = crashtest.AuthCode("46") // pending until reversed or paid
			}
			before := r.Numbers()
			r.KillAt(killpoint.PayAnswered, 0, crashtest.Charge(c.provider, c.method, "45.67", code)...)
			no := r.NewOrder(before).OutTradeNo
			c.kill.do(r, []string{"reconcile", "--json"})
			if c.customerPays {
				if err := r.SB.Pay(no, "success"); err != nil {
					t.Fatalf("the customer could not pay: %v", err)
				}
			}
			r.AfterKill()
			if o := r.Order(no); o.State != c.want {
				v, _ := r.SandboxOrder(no)
				t.Fatalf("order %s ended %s (%s), want %s; provider %+v", no, o.State, o.Reason, c.want, v)
			}
		})
	}
	t.Run("refund_query_held", func(t *testing.T) {
		t.Parallel()
		r := crashtest.NewRig(t, crashtest.Options{})
		no := r.PaidSale("eftpay", "ALIPAYHK", "10.00")
		r.KillAt(killpoint.RefundAnswered, 0, "refund", "--order", no, "--amount", "2.50")
		rs := r.Refunds(no)
		if len(rs) != 1 {
			t.Fatalf("%d refunds", len(rs))
		}
		r.KillWhenHeld(sandbox.Fault{Stage: sandbox.HoldAfter, Op: sandbox.OpQuery, OutTradeNo: rs[0].RefundNo}, "reconcile", "--json")
		r.AfterKill()
		if rs = r.Refunds(no); rs[0].State != payments.RefundDone {
			t.Fatalf("refund %s ended %s", rs[0].RefundNo, rs[0].State)
		}
	})
}

// TestKillWithSandboxProcess runs the sandbox as its own process (`pos
// sandbox`), as a person testing a terminal would, and drives the hold
// through its control endpoints (the long poll GET /sandbox/held and
// /sandbox/release).
func TestKillWithSandboxProcess(t *testing.T) {
	bin := crashtest.Binary(t)
	cmd := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "sandbox listening on "); ok {
			url = "http://" + strings.TrimSpace(addr)
			break
		}
	}
	if url == "" {
		t.Fatal("pos sandbox did not say where it listens")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	r := crashtest.NewRig(t, crashtest.Options{Sandbox: crashtest.Remote{Base: url}})

	// A refund the provider made, its answer held, the terminal killed.
	no := r.PaidSale("qfpay", "800208", "10.00")
	r.KillWhenHeld(sandbox.Fault{Stage: sandbox.HoldAfter, Op: sandbox.OpRefund}, "refund", "--order", no, "--amount", "1.00")
	r.AfterKill()
	if rs := r.Refunds(no); len(rs) != 1 || rs[0].State != payments.RefundDone {
		t.Fatalf("refunds %+v", rs)
	}

	// A QR the provider made, its answer held, the terminal killed; the
	// customer pays while it is down.
	before := r.Numbers()
	h := r.KillWhenHeld(sandbox.Fault{Stage: sandbox.HoldAfter, Op: sandbox.OpPay}, crashtest.Charge("eftpay", "ALIPAYHK", "5.55", "")...)
	sale := r.NewOrder(before)
	if h.OutTradeNo != sale.OutTradeNo {
		t.Fatalf("held %+v, the sale is %s", h, sale.OutTradeNo)
	}
	if err := r.SB.Pay(sale.OutTradeNo, "success"); err != nil {
		t.Fatal(err)
	}
	r.AfterKill()
	if o := r.Order(sale.OutTradeNo); o.State != payments.Paid {
		t.Fatalf("order %s is %s", o.OutTradeNo, o.State)
	}

	// A held call can also be released: the sale then goes on as usual.
	if err := r.SB.InjectFault(sandbox.Fault{Kind: sandbox.FaultHold, Stage: sandbox.HoldBefore, Op: sandbox.OpPay, Count: 1}); err != nil {
		t.Fatal(err)
	}
	p := r.Start(nil, crashtest.Charge("qfpay", "800208", "6.66", crashtest.AuthCode("00"))...)
	held, err := r.SB.WaitHeld(t.Context(), h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SB.Release(held[0].ID); err != nil {
		t.Fatal(err)
	}
	if ex := p.Wait(30 * time.Second); ex.Code != 0 {
		t.Fatalf("released sale: %+v\n%s", ex, p.Output())
	}
	r.Check()
}
