package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestAskKeys: a charge the till left to the cashier is found by its ask id
// from the start, keeps its amount, renews its reservation when the
// cashier chooses (so that recovery looks for the order from then, not
// from when the till asked), and ends without a sale only while unbound.
func TestAskKeys(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(ctx, path, WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	amount := hkd(8850)
	k := APICharge{Key: "till-1", TokenID: "socket", RequestHash: "h", Reference: "till-4711", AskID: "ask-1", Amount: amount}
	c, created, err := j.ReserveIdempotencyKey(ctx, k)
	if err != nil || !created || c.AskState != AskWaiting || c.ID() != "ask-1" {
		t.Fatalf("reserve: %+v %v %v", c, created, err)
	}
	// The cashier rings up a counter sale of the same amount meanwhile;
	// it is not the ask's.
	clk.add(time.Second)
	newSale(t, j, "ALIPAYHK", 8850)
	clk.add(time.Minute)
	if ok, err := j.SetAskState(ctx, k.Key, AskCharging); err != nil || !ok {
		t.Fatalf("charging: %v %v", ok, err)
	}
	clk.add(time.Millisecond)
	o := newSale(t, j, "ALIPAYHK", 8850)
	// The terminal stops before binding: recovery finds the order made
	// after the choice, not the counter's.
	got, err := j.RecoverReservation(ctx, k.Key, amount, 10*time.Second)
	if err != nil || got.ChargeID != o.OutTradeNo {
		t.Fatalf("recover: %+v %v (want %s)", got, err, o.OutTradeNo)
	}
	if ok, err := j.SetAskState(ctx, k.Key, AskExpired); err != nil || ok {
		t.Fatalf("a bound ask was ended: %v %v", ok, err)
	}
	j.Close()

	j, err = Open(ctx, path, WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, id := range []string{"ask-1", o.OutTradeNo} {
		got, err := j.APIChargeFor(ctx, id)
		if err != nil || got.Key != k.Key || got.ID() != "ask-1" || got.Amount != amount || got.Reference != "till-4711" {
			t.Fatalf("APIChargeFor(%s) after reopening: %+v %v", id, got, err)
		}
	}

	// Declined by the cashier: ended, found, not bound.
	k2 := APICharge{Key: "till-2", TokenID: "socket", RequestHash: "h2", AskID: "ask-2", Amount: amount}
	if _, _, err := j.ReserveIdempotencyKey(ctx, k2); err != nil {
		t.Fatal(err)
	}
	if ok, err := j.SetAskState(ctx, k2.Key, AskDeclined); err != nil || !ok {
		t.Fatalf("decline: %v %v", ok, err)
	}
	got, err = j.APIChargeFor(ctx, "ask-2")
	if err != nil || got.Bound() || got.AskState != AskDeclined {
		t.Fatalf("declined ask: %+v %v", got, err)
	}
	if _, err := j.SetAskState(ctx, k2.Key, "paid"); err == nil {
		t.Fatal("an unknown ask state was taken")
	}
	// A key that is no ask has no ask state to set.
	if _, _, err := j.ReserveIdempotencyKey(ctx, APICharge{Key: "plain", TokenID: "socket", RequestHash: "h3"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := j.SetAskState(ctx, "plain", AskExpired); err != nil || ok {
		t.Fatalf("a plain key took an ask state: %v %v", ok, err)
	}
	if _, err := j.APIChargeFor(ctx, ""); err == nil {
		t.Fatal("an empty id found a charge")
	}
}
