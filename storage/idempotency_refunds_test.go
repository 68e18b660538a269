package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"qrpos/payments"
)

// paidSale is a new sale of minor cents that the provider confirmed.
func paidSale(t *testing.T, j *Journal, minor int64) payments.Order {
	t.Helper()
	o := newSale(t, j, "ALIPAYHK", minor)
	o, err := j.Transition(context.Background(), o.OutTradeNo, payments.Paid, Change{})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRefundKeyReserveBindAndReopen: a refund key is reserved, bound to
// the refund it made, kept across a reopening, and a refused one leaves
// nothing behind.
func TestRefundKeyReserveBindAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := paidSale(t, j, 1000)
	k := APIRefund{Key: "till-4711-r1", TokenID: "socket", RequestHash: "h1", OutTradeNo: o.OutTradeNo, Amount: hkd(300)}
	r, created, err := j.ReserveRefundKey(ctx, k)
	if err != nil || !created || r.Bound() || r.CreatedAt.IsZero() {
		t.Fatalf("reserve: %+v %v %v", r, created, err)
	}
	again, created, err := j.ReserveRefundKey(ctx, APIRefund{Key: k.Key, TokenID: "token:x", RequestHash: "h2", OutTradeNo: o.OutTradeNo, Amount: hkd(1)})
	if err != nil || created || again.RequestHash != "h1" || again.Amount != hkd(300) {
		t.Fatalf("second reserve changed the key: %+v %v %v", again, created, err)
	}
	rf, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(300))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.BindRefundKey(ctx, k.Key, rf.RefundNo); err != nil {
		t.Fatal(err)
	}
	if err := j.BindRefundKey(ctx, k.Key, "OTHER"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a bound key was bound again: %v", err)
	}
	if err := j.ReleaseRefundKey(ctx, k.Key); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got, err := j.IdempotentRefund(ctx, k.Key)
	if err != nil || got.RefundNo != rf.RefundNo || got.OutTradeNo != o.OutTradeNo || got.Amount != hkd(300) || got.RequestHash != "h1" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	if _, err := j.IdempotentRefund(ctx, "never"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, _, err := j.ReserveRefundKey(ctx, APIRefund{Key: "refused", TokenID: "socket", RequestHash: "h", OutTradeNo: o.OutTradeNo, Amount: hkd(1)}); err != nil {
		t.Fatal(err)
	}
	if err := j.ReleaseRefundKey(ctx, "refused"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.IdempotentRefund(ctx, "refused"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("released key still there: %v", err)
	}
}

// TestRecoverRefundReservation: a refund key reserved but never bound finds
// the one refund of its sale and amount made right after it, or none, or
// leaves two candidates to a person.
func TestRecoverRefundReservation(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	j, err := Open(ctx, filepath.Join(privateDir(t), "pos.db"), WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	o := paidSale(t, j, 10000)
	other := paidSale(t, j, 10000)
	reserve := func(key string, minor int64) {
		t.Helper()
		if _, created, err := j.ReserveRefundKey(ctx, APIRefund{Key: key, TokenID: "socket", RequestHash: key, OutTradeNo: o.OutTradeNo, Amount: hkd(minor)}); err != nil || !created {
			t.Fatalf("reserve %s: %v %v", key, created, err)
		}
	}
	refund := func(no string, minor int64) payments.Refund {
		t.Helper()
		r, err := j.CreateRefund(ctx, no, hkd(minor))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, RefundChange{}); err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Before the reservation, another sale's, another amount: not the key's.
	refund(o.OutTradeNo, 500)
	clk.add(time.Second)
	reserve("k1", 500)
	clk.add(time.Millisecond)
	refund(other.OutTradeNo, 500)
	refund(o.OutTradeNo, 100)
	r, err := j.RecoverRefundReservation(ctx, "k1", 10*time.Second)
	if err != nil || r.Bound() || !r.CreatedAt.Equal(clk.now()) {
		t.Fatalf("nothing made: %+v, %v", r, err)
	}
	clk.add(2 * time.Millisecond)
	made := refund(o.OutTradeNo, 500)
	r, err = j.RecoverRefundReservation(ctx, "k1", 10*time.Second)
	if err != nil || r.RefundNo != made.RefundNo {
		t.Fatalf("made: %+v, %v; want %s", r, err, made.RefundNo)
	}
	if got, _ := j.IdempotentRefund(ctx, "k1"); got.RefundNo != made.RefundNo {
		t.Fatalf("not bound: %+v", got)
	}
	// Another key of the same sale and amount does not take k1's refund.
	clk.add(time.Second)
	reserve("k2", 500)
	if r, err := j.RecoverRefundReservation(ctx, "k2", 10*time.Second); err != nil || r.Bound() {
		t.Fatalf("k2 took another key's refund: %+v, %v", r, err)
	}
	// Two candidates: nothing changes.
	clk.add(time.Second)
	reserve("k3", 200)
	a, b := refund(o.OutTradeNo, 200), refund(o.OutTradeNo, 200)
	_, err = j.RecoverRefundReservation(ctx, "k3", 10*time.Second)
	var ae *AmbiguousReservationError
	if !errors.As(err, &ae) || len(ae.Orders) != 2 || ae.Orders[0] != a.RefundNo || ae.Orders[1] != b.RefundNo {
		t.Fatalf("ambiguous: %v", err)
	}
	if got, _ := j.IdempotentRefund(ctx, "k3"); got.Bound() {
		t.Fatalf("an ambiguous key was bound: %+v", got)
	}
	if _, err := j.RecoverRefundReservation(ctx, "never", time.Second); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
}
