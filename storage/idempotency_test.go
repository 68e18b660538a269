package storage

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
)

// testClock is a journal clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestIdempotencyKeyReserveBindAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	k := APICharge{Key: "till-4711-1", TokenID: "socket", RequestHash: "h1", Reference: "till-4711"}
	c, created, err := j.ReserveIdempotencyKey(ctx, k)
	if err != nil || !created || c.Bound() || c.CreatedAt.IsZero() {
		t.Fatalf("reserve: %+v %v %v", c, created, err)
	}
	again, created, err := j.ReserveIdempotencyKey(ctx, APICharge{Key: k.Key, TokenID: "token:x", RequestHash: "h2"})
	if err != nil || created || again.RequestHash != "h1" || again.TokenID != "socket" {
		t.Fatalf("second reserve changed the key: %+v %v %v", again, created, err)
	}
	o := newSale(t, j, "ALIPAYHK", 8850)
	if err := j.BindIdempotencyKey(ctx, k.Key, o.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	if err := j.BindIdempotencyKey(ctx, k.Key, "OTHER"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a bound key was bound again: %v", err)
	}
	if err := j.ReleaseIdempotencyKey(ctx, k.Key); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got, err := j.IdempotentCharge(ctx, k.Key)
	if err != nil || got.ChargeID != o.OutTradeNo || got.OutTradeNo != o.OutTradeNo || got.Reference != "till-4711" || got.RequestHash != "h1" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	if _, err := j.IdempotentCharge(ctx, "never"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}

	// A reservation whose charge was refused is released: nothing stays.
	if _, _, err := j.ReserveIdempotencyKey(ctx, APICharge{Key: "refused", TokenID: "socket", RequestHash: "h"}); err != nil {
		t.Fatal(err)
	}
	if err := j.ReleaseIdempotencyKey(ctx, "refused"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.IdempotentCharge(ctx, "refused"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("released key still there: %v", err)
	}

	// Renumbered: found by either number.
	fresh := newSale(t, j, "ALIPAYHK", 8850)
	if err := j.RenumberAPICharge(ctx, o.OutTradeNo, fresh.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	for _, no := range []string{o.OutTradeNo, fresh.OutTradeNo} {
		c, err := j.APIChargeFor(ctx, no)
		if err != nil || c.Key != k.Key || c.ChargeID != o.OutTradeNo || c.OutTradeNo != fresh.OutTradeNo {
			t.Fatalf("APIChargeFor(%s): %+v, %v", no, c, err)
		}
	}
	if _, err := j.APIChargeFor(ctx, "T001NOSUCH"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("not an API charge: %v", err)
	}
	list, err := j.APIChargesCreatedBetween(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(list) != 1 || list[0].Key != k.Key {
		t.Fatalf("between: %+v, %v", list, err)
	}
}

// TestRecoverReservation: a key reserved but never bound (the program
// stopped in between) finds the one order made right after it, or none.
func TestRecoverReservation(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	j, err := Open(ctx, filepath.Join(privateDir(t), "pos.db"), WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	amount := hkd(8850)
	reserve := func(key string) {
		t.Helper()
		if _, created, err := j.ReserveIdempotencyKey(ctx, APICharge{Key: key, TokenID: "socket", RequestHash: key}); err != nil || !created {
			t.Fatalf("reserve %s: %v %v", key, created, err)
		}
	}

	// Before the reservation, another amount, and an order another key
	// holds: none of them is this key's.
	before := newSale(t, j, "ALIPAYHK", 8850)
	clk.add(time.Second)
	reserve("bound")
	bound := newSale(t, j, "ALIPAYHK", 8850)
	if err := j.BindIdempotencyKey(ctx, "bound", bound.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Second)
	reserve("k1")
	clk.add(time.Millisecond)
	newSale(t, j, "ALIPAYHK", 100)
	c, err := j.RecoverReservation(ctx, "k1", amount, 10*time.Second)
	if err != nil || c.Bound() || !c.CreatedAt.Equal(clk.now()) {
		t.Fatalf("nothing made: %+v, %v (before %s)", c, err, before.OutTradeNo)
	}

	// The order made right after the (renewed) reservation is the key's.
	clk.add(2 * time.Millisecond)
	made := newSale(t, j, "ALIPAYHK", 8850)
	c, err = j.RecoverReservation(ctx, "k1", amount, 10*time.Second)
	if err != nil || c.ChargeID != made.OutTradeNo {
		t.Fatalf("made: %+v, %v; want %s", c, err, made.OutTradeNo)
	}
	if got, _ := j.IdempotentCharge(ctx, "k1"); got.ChargeID != made.OutTradeNo {
		t.Fatalf("not bound: %+v", got)
	}
	// Recovering a bound key changes nothing.
	if c, err := j.RecoverReservation(ctx, "k1", amount, 10*time.Second); err != nil || c.ChargeID != made.OutTradeNo {
		t.Fatalf("bound: %+v, %v", c, err)
	}

	// Later than the window: not it.
	clk.add(time.Second)
	reserve("k2")
	clk.add(11 * time.Second)
	late := newSale(t, j, "ALIPAYHK", 8850)
	if c, err := j.RecoverReservation(ctx, "k2", amount, 10*time.Second); err != nil || c.Bound() {
		t.Fatalf("an order after the window was taken: %+v, %v (%s)", c, err, late.OutTradeNo)
	}

	// Two candidates: a person decides; nothing changes.
	clk.add(time.Second)
	reserve("k3")
	a := newSale(t, j, "ALIPAYHK", 8850)
	b := newSale(t, j, "PAYME", 8850)
	_, err = j.RecoverReservation(ctx, "k3", amount, 10*time.Second)
	var ae *AmbiguousReservationError
	if !errors.As(err, &ae) || len(ae.Orders) != 2 || ae.Orders[0] != a.OutTradeNo || ae.Orders[1] != b.OutTradeNo {
		t.Fatalf("ambiguous: %v", err)
	}
	if got, _ := j.IdempotentCharge(ctx, "k3"); got.Bound() {
		t.Fatalf("an ambiguous key was bound: %+v", got)
	}
	if _, err := j.RecoverReservation(ctx, "never", payments.Money{Minor: 1, Currency: "HKD"}, time.Second); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
}
