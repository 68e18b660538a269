package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"qrpos/api"
	"qrpos/payments"
)

// till is the shop's till: the local API over the terminal's socket.
func till(t *testing.T, r *rig) *api.Client {
	t.Helper()
	c := api.NewSocketClient(r.core.APISocket())
	t.Cleanup(c.Close)
	return c
}

func tillCharge(t *testing.T, c *api.Client, key string, req api.ChargeRequest) api.Charge {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ch, _, err := c.CreateCharge(ctx, key, req)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestTillChargeChosenAtTheCounter: the till sends HK$88.50 with no
// method; the counter shows "HK$88.50 from the register: choose how the
// customer pays" with the amount fixed, the customer display shows the
// amount; the cashier taps Alipay HK, the customer pays, and the till's
// long-poll returns paid with the provider's reference under the id it was
// given.
func TestTillChargeChosenAtTheCounter(t *testing.T) {
	r := newRig(t, rigOptions{language: English, api: true})
	term := r.term
	c := till(t, r)
	ch := tillCharge(t, c, "till-4711-1", api.ChargeRequest{Amount: "88.50", Currency: "HKD", Reference: "till-4711"})
	if ch.State != api.StateAwaitingCashier {
		t.Fatalf("the till got %+v", ch)
	}
	r.until("the till's charge on the counter", func() bool { return term.ask != nil && term.phase == phaseEntry })
	cs := term.cashier
	if !cs.askBox.Visible() || cs.askText.Text != "HK$88.50 from the register (till-4711): choose how the customer pays" {
		t.Fatalf("band %v %q", cs.askBox.Visible(), cs.askText.Text)
	}
	r.typeAmount("9")
	if term.amount != "88.50" || cs.amountText.Text != "HK$88.50" {
		t.Fatalf("the till's amount changed to %q (%q)", term.amount, cs.amountText.Text)
	}
	if term.cust.amount.Text != "HK$88.50" || term.cust.prompt.en.Text != "Tell the cashier how you would like to pay" {
		t.Fatalf("customer display %q %q", term.cust.amount.Text, term.cust.prompt.en.Text)
	}
	done := make(chan api.Charge, 1)
	go func() {
		got, err := c.Charge(context.Background(), ch.ID, 30*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	r.tap(r.method("eftpay:ALIPAYHK"))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	if term.ask != nil || !strings.Contains(term.working, "till-4711") {
		t.Fatalf("ask %+v, working %q", term.ask, term.working)
	}
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult })
	var got api.Charge
	r.until("the till's long-poll", func() bool {
		select {
		case got = <-done:
			return true
		default:
			return false
		}
	})
	if got.ID != ch.ID || got.State != "paid" || got.OutTradeNo != term.order.OutTradeNo || got.ProviderRef == "" || got.Reference != "till-4711" {
		t.Fatalf("the till got %+v", got)
	}
	r.tap(cs.newSaleBtn)
	if cs.askBox.Visible() || term.amount != "" {
		t.Fatalf("the band stayed (amount %q)", term.amount)
	}
}

// TestTillChargeAnyWallet: "any" without a code goes straight to the
// scanner prompt; the scanned code picks the wallet.
func TestTillChargeAnyWallet(t *testing.T) {
	r := newRig(t, rigOptions{language: English, api: true})
	term := r.term
	c := till(t, r)
	ch := tillCharge(t, c, "any-1", api.ChargeRequest{Amount: "25.00", Currency: "HKD", Method: "any", Reference: "t-9"})
	r.until("the scanner prompt", func() bool { return term.ask != nil && term.phase == phaseScan })
	if term.win.Canvas().Focused() != term.cashier.scanEntry || term.cust.prompt.en.Text != "Please show your payment code to the cashier" {
		t.Fatalf("focus %v, customer %q", term.win.Canvas().Focused(), term.cust.prompt.en.Text)
	}
	test.Type(term.cashier.scanEntry, "134567890123456712")
	term.cashier.scanEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.until("paid", func() bool { return term.phase == phaseResult })
	if o := term.order; o.State != payments.Paid || o.MethodCode != "800208" || o.Amount.Decimal() != "25.00" {
		t.Fatalf("order %+v", o)
	}
	got, err := c.Charge(context.Background(), ch.ID, 0)
	if err != nil || got.State != "paid" || got.Reference != "t-9" {
		t.Fatalf("the till got %+v %v", got, err)
	}
}

// TestTillChargeDeclinedAndCancelled: the cashier declines one (the till
// reads closed); the till cancels the next while the counter shows it (the
// counter says so and is free again); nothing was charged.
func TestTillChargeDeclinedAndCancelled(t *testing.T) {
	r := newRig(t, rigOptions{language: English, api: true})
	term := r.term
	c := till(t, r)
	first := tillCharge(t, c, "d-1", api.ChargeRequest{Amount: "30.00", Currency: "HKD"})
	r.until("shown", func() bool { return term.ask != nil })
	r.tap(term.cashier.askDecline)
	r.until("declined", func() bool { return term.ask == nil && !term.cashier.askBox.Visible() })
	ctx := context.Background()
	var got api.Charge
	r.until("the till reads closed", func() bool {
		got, _ = c.Charge(ctx, first.ID, 0)
		return got.State == "closed"
	})
	if !strings.Contains(got.Reason, "cashier declined") {
		t.Fatalf("reason %q", got.Reason)
	}
	second := tillCharge(t, c, "d-2", api.ChargeRequest{Amount: "31.00", Currency: "HKD"})
	r.until("shown", func() bool { return term.ask != nil && term.ask.ID == second.ID })
	if _, err := c.Cancel(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	r.until("withdrawn", func() bool { return term.ask == nil })
	if term.phase != phaseEntry || term.amount != "" || term.cashier.amountErr.Text != "The register cancelled HK$31.00." {
		t.Fatalf("phase %v amount %q message %q", term.phase, term.amount, term.cashier.amountErr.Text)
	}
	if n, _ := r.j.OpenOrders(ctx); len(n) != 0 {
		t.Fatalf("open orders %v", n)
	}
	if es := r.audit(); len(es) == 0 || es[len(es)-1].Action != "decline till charge" {
		t.Fatalf("audit %+v", es)
	}
}

// TestTillSaleBeforeTheUIStarts: the local API serves from the start and
// the window listens only from its first frame; a till's sale rung up in
// between is on the counter and the customer display once the UI starts.
func TestTillSaleBeforeTheUIStarts(t *testing.T) {
	var no string
	r := newRig(t, rigOptions{language: English, api: true, beforeStart: func(r *rig) {
		ch := tillCharge(t, till(t, r), "early-1", api.ChargeRequest{Amount: "12.30", Currency: "HKD", Method: "qfpay:800101", Reference: "early"})
		no = ch.OutTradeNo
		for deadline := time.Now().Add(10 * time.Second); r.order(no).QRCode == ""; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the sale got no QR code")
			}
		}
	}})
	term := r.term
	r.until("the till's sale on the counter", func() bool {
		return term.phase == phaseWaiting && term.order.OutTradeNo == no && term.order.QRCode != ""
	})
	if !strings.Contains(term.working, "early") {
		t.Errorf("working %q, want the till's reference", term.working)
	}
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult && term.order.State == payments.Paid })
}
