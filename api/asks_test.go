package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

func method(t testing.TB, id string) payments.Method {
	t.Helper()
	m, err := payments.LookupMethodID(id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTillChargeTheCashierChooses: a till names no method. The cashier's
// screen shows the amount and the till's reference; the till holds an id
// that answers "awaiting_cashier", then the sale the cashier's choice made,
// then paid with the provider's reference. The same key, before and after
// a restart, answers the same charge; nothing is charged twice; while the
// cashier chooses, a second charge is refused with the ask's id.
func TestTillChargeTheCashierChooses(t *testing.T) {
	r := newRig(t, rigOptions{cashier: true})
	ctx := ctxT(t)
	status, _, body := r.raw("POST", "/v1/charges", map[string]string{"Idempotency-Key": "till-88-1"},
		`{"amount":"88.50","currency":"HKD","reference":"till-88"}`)
	id, _ := body["id"].(string)
	if status != 201 || !strings.HasPrefix(id, "ask-") || body["state"] != StateAwaitingCashier || body["out_trade_no"] != "" ||
		body["amount"] != "88.50" || body["reference"] != "till-88" || body["expires_at"] == nil || body["settled"] != false {
		t.Fatalf("create: %d %v", status, body)
	}
	a := r.cashier.nextAsk(t)
	if a.ID != id || a.Amount.Decimal() != "88.50" || a.Reference != "till-88" || a.AnyWallet {
		t.Fatalf("the cashier sees %+v", a)
	}
	req := ChargeRequest{Amount: "88.50", Currency: "HKD", Reference: "till-88"}
	if again, replayed, err := r.c.CreateCharge(ctx, "till-88-1", req); err != nil || !replayed || again.ID != id || again.State != StateAwaitingCashier {
		t.Fatalf("replayed while waiting: %+v %v %v", again, replayed, err)
	}
	_, _, err := r.c.CreateCharge(ctx, "till-89-1", ChargeRequest{Amount: "5.00", Currency: "HKD", Method: "alipayhk"})
	if e := apiErr(t, err, 409, CodeSaleInProgress); e.ChargeID != id {
		t.Fatalf("409 names %q, want the ask %s", e.ChargeID, id)
	}
	if st, err := r.c.Status(ctx); err != nil || st.SaleInProgress == nil || st.SaleInProgress.ID != id {
		t.Fatalf("status while the cashier chooses: %+v %v", st.SaleInProgress, err)
	}

	// The till long-polls; the cashier chooses Alipay HK; the customer pays.
	done := make(chan Charge, 1)
	go func() {
		c, err := r.c.Charge(context.Background(), id, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- c
	}()
	time.Sleep(200 * time.Millisecond)
	if _, err := r.srv.ChooseAsk(ctx, id, method(t, "qfpay:800008"), ""); err == nil {
		t.Fatal("a method the terminal does not offer was taken")
	}
	sale, err := r.srv.ChooseAsk(ctx, id, method(t, "eftpay:ALIPAYHK"), "")
	if err != nil {
		t.Fatal(err)
	}
	if h := r.cashier.nextHidden(t); h != id+" chosen" {
		t.Fatalf("hidden %q", h)
	}
	if sale.Reference != "till-88" || sale.Origin != "till" || sale.Order.Amount.Decimal() != "88.50" {
		t.Fatalf("sale %+v", sale)
	}
	no := sale.Order.OutTradeNo
	waitSent(t, r, no)
	if _, err := r.srv.ChooseAsk(ctx, id, method(t, "eftpay:ALIPAYHK"), ""); err == nil {
		t.Fatal("an ask was chosen twice")
	}
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	c := <-done
	if c.ID != id || c.OutTradeNo != no || c.State != "paid" || c.ProviderRef == "" || c.Reference != "till-88" || c.Method != "eftpay:ALIPAYHK" {
		t.Fatalf("the till's long-poll: %+v", c)
	}
	if byNo, err := r.c.Charge(ctx, no, 0); err != nil || byNo.ID != id {
		t.Fatalf("by its order number: %+v %v", byNo, err)
	}

	r.restart()
	again, replayed, err := r.c.CreateCharge(ctx, "till-88-1", req)
	if err != nil || !replayed || again.ID != id || again.State != "paid" || again.OutTradeNo != no {
		t.Fatalf("after the restart: %+v %v %v", again, replayed, err)
	}
	if n, p := len(r.orders()), r.payRequests(); n != 1 || p != 1 {
		t.Fatalf("%d orders, %d payment requests", n, p)
	}
	select {
	case a := <-r.cashier.shown:
		t.Fatalf("the replay asked the cashier again: %+v", a)
	default:
	}
}

// TestTillChargeAnyWallet: "any" with no code goes to the cashier's
// scanner; the scanned code picks the wallet.
func TestTillChargeAnyWallet(t *testing.T) {
	r := newRig(t, rigOptions{cashier: true})
	ctx := ctxT(t)
	c := mustCharge(t, r.c, "any-1", ChargeRequest{Amount: "12.00", Currency: "HKD", Method: "any", Reference: "t-1"})
	if c.State != StateAwaitingCashier || c.Method != "any" || c.Mode != "CPM" {
		t.Fatalf("create: %+v", c)
	}
	a := r.cashier.nextAsk(t)
	if !a.AnyWallet || a.ID != c.ID {
		t.Fatalf("the cashier sees %+v", a)
	}
	if _, err := r.srv.ChooseAsk(ctx, a.ID, method(t, "qfpay:800008"), ""); err == nil {
		t.Fatal("a customer-code method without the code was charged")
	}
	sale, err := r.srv.ChooseAsk(ctx, a.ID, method(t, "qfpay:800008"), "280012345678901234")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.c.Charge(ctx, c.ID, 15*time.Second)
	if err != nil || got.State != "paid" || got.OutTradeNo != sale.Order.OutTradeNo || got.AuthCode == "280012345678901234" {
		t.Fatalf("any wallet: %+v %v", got, err)
	}
}

// TestTillChargeWithoutASale: declined by the cashier, cancelled by the
// till, expired, and left waiting when the terminal stopped: each ends
// closed or expired with a reason, writes no order, and answers the same
// to its key, also after a restart.
func TestTillChargeWithoutASale(t *testing.T) {
	r := newRig(t, rigOptions{cashier: true, askTimeout: 2 * time.Second})
	ctx := ctxT(t)
	ask := func(key string) Charge {
		t.Helper()
		c := mustCharge(t, r.c, key, ChargeRequest{Amount: "30.00", Currency: "HKD", Reference: key})
		if a := r.cashier.nextAsk(t); a.ID != c.ID {
			t.Fatalf("the cashier sees %s, the till %s", a.ID, c.ID)
		}
		return c
	}
	want := map[string]string{}

	declined := ask("declined")
	events, err := r.c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if !r.srv.DeclineAsk(declined.ID) || r.srv.DeclineAsk(declined.ID) {
		t.Fatal("declined not exactly once")
	}
	r.cashier.nextHidden(t)
	for ev := range events {
		if ev.Charge != nil && ev.Charge.ID == declined.ID {
			if ev.Kind != "closed" || ev.Charge.State != "closed" || !ev.Charge.Settled {
				t.Fatalf("event %+v", ev)
			}
			break
		}
	}
	want["declined"] = "closed"

	withdrawn := ask("withdrawn")
	if c, err := r.c.Cancel(ctx, withdrawn.ID); err != nil || c.State != "closed" || !strings.Contains(c.Reason, "till cancelled") {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	if h := r.cashier.nextHidden(t); h != withdrawn.ID+" withdrawn" {
		t.Fatalf("hidden %q", h)
	}
	if _, err := r.c.Cancel(ctx, withdrawn.ID); err == nil {
		t.Fatal("cancelled twice")
	}
	want["withdrawn"] = "closed"

	expired := ask("expired")
	if c, err := r.c.Charge(ctx, expired.ID, 10*time.Second); err != nil || c.State != "expired" || !c.Settled {
		t.Fatalf("expired: %+v %v", c, err)
	}
	want["expired"] = "expired"

	stopped := ask("stopped")
	want["stopped"] = "expired"
	ids := map[string]string{"declined": declined.ID, "withdrawn": withdrawn.ID, "expired": expired.ID, "stopped": stopped.ID}
	r.restart()
	for key, state := range want {
		c, replayed, err := r.c.CreateCharge(ctx, key, ChargeRequest{Amount: "30.00", Currency: "HKD", Reference: key})
		if err != nil || !replayed || c.ID != ids[key] || c.State != state || c.Reason == "" {
			t.Fatalf("%s after the restart: %+v %v %v", key, c, replayed, err)
		}
	}
	select {
	case a := <-r.cashier.shown:
		t.Fatalf("a replay asked the cashier again: %+v", a)
	default:
	}
	if n := len(r.orders()); n != 0 {
		t.Fatalf("%d orders written", n)
	}
	// The counter is free again.
	mustCharge(t, r.c, "next", ChargeRequest{Amount: "30.00", Currency: "HKD"})
}

// TestTillChargeChosenBeforeACrash: the terminal stopped after the
// cashier's choice journalled the order and before the key was bound: the
// ask's id finds that order, and nothing is charged again. A counter sale
// of the same amount made while the ask waited is not taken for it.
func TestTillChargeChosenBeforeACrash(t *testing.T) {
	r := newRig(t, rigOptions{cashier: true})
	ctx := ctxT(t)
	in, e := parseChargeRequest([]byte(`{"amount":"40.00","currency":"HKD","reference":"till-40"}`))
	if e != nil {
		t.Fatal(e)
	}
	counter, err := r.eng.Charge(ctx, checkout.ChargeRequest{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: in.amount})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.j.ReserveIdempotencyKey(ctx, storage.APICharge{Key: "crash", TokenID: "socket", RequestHash: in.hash(),
		Reference: "till-40", AskID: "ask-0000000000000001", Amount: in.amount}); err != nil {
		t.Fatal(err)
	}
	counter.Cancel()
	counter.Wait(ctx)
	time.Sleep(20 * time.Millisecond)
	if _, err := r.j.SetAskState(ctx, "crash", storage.AskCharging); err != nil {
		t.Fatal(err)
	}
	sale, err := r.eng.Charge(ctx, checkout.ChargeRequest{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: in.amount, Origin: "till", Reference: "till-40"})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, r, sale.Order.OutTradeNo)
	r.restart()
	c, err := r.c.Charge(ctx, "ask-0000000000000001", 0)
	if err != nil || c.OutTradeNo != sale.Order.OutTradeNo || c.ID != "ask-0000000000000001" || c.Reference != "till-40" {
		t.Fatalf("recovered: %+v %v; want order %s", c, err, sale.Order.OutTradeNo)
	}
	if n, p := len(r.orders()), r.payRequests(); n != 2 || p != 2 {
		t.Fatalf("%d orders, %d payment requests", n, p)
	}
}

// TestTillChargeWithoutCounter: a terminal with no cashier's screen (the
// API alone) still refuses a charge with no method, and "any" without the
// code, and writes nothing.
func TestTillChargeWithoutCounter(t *testing.T) {
	r := newRig(t, rigOptions{})
	_, _, err := r.c.CreateCharge(ctxT(t), "k1", ChargeRequest{Amount: "1.00", Currency: "HKD"})
	apiErr(t, err, 422, CodeMethodRequired)
	_, _, err = r.c.CreateCharge(ctxT(t), "k2", ChargeRequest{Amount: "1.00", Currency: "HKD", Method: "any"})
	apiErr(t, err, 422, CodeAuthCodeRequired)
	if _, err := r.j.IdempotentCharge(ctxT(t), "k1"); err == nil {
		t.Fatal("a refused charge left its key")
	}
}
