package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// draws is a random source that makes payments.NewOrderNumber draw exactly
// the given random parts (10 characters of 0-9A-Z each), in order.
func draws(parts ...string) io.Reader {
	var b bytes.Buffer
	for _, p := range parts {
		if len(p) != payments.RandomPartLength {
			panic("random part " + p + " is not 10 characters")
		}
		for _, c := range p {
			b.WriteByte(byte(strings.IndexRune(alphabet, c)))
		}
	}
	return &b
}

var testDay = time.Date(2026, 11, 23, 10, 0, 0, 0, time.Local)

func fixedClock() time.Time { return testDay }

func openDrawing(t *testing.T, parts ...string) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(privateDir(t), "pos.db"), WithClock(fixedClock), WithRandom(draws(parts...)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func alipay(minor int64) NewOrder {
	return NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Mode: payments.MPM, Amount: hkd(minor)}
}

func countRows(t *testing.T, j *Journal, table string) int {
	t.Helper()
	var n int
	if err := j.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOrderNumbersAreRandom: numbers are the tid, the date and a draw from
// the journal's random source, never a counter: two new journals of the
// same tid at the same instant do not start with the same number, and the
// counters table is not read at all.
func TestOrderNumbersAreRandom(t *testing.T) {
	ctx := context.Background()
	var first []string
	for i := 0; i < 2; i++ {
		j, err := Open(ctx, filepath.Join(privateDir(t), "pos.db"), WithClock(fixedClock))
		if err != nil {
			t.Fatal(err)
		}
		o, err := j.CreateOrder(ctx, alipay(100))
		j.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(o.OutTradeNo, "T001261123") || len(o.OutTradeNo) != 4+6+payments.RandomPartLength {
			t.Fatalf("number %q", o.OutTradeNo)
		}
		for _, c := range o.OutTradeNo[10:] {
			if !strings.ContainsRune(alphabet, c) {
				t.Fatalf("number %q: %q outside 0-9A-Z", o.OutTradeNo, c)
			}
		}
		first = append(first, o.OutTradeNo)
	}
	if first[0] == first[1] {
		t.Fatalf("two new journals both started with %s", first[0])
	}

	j := openDrawing(t, "ORDER00001", "REFUND0001", "ORDER00002")
	if _, err := j.db.Exec("DROP TABLE counters"); err != nil {
		t.Fatal(err)
	}
	o, err := j.CreateOrder(ctx, alipay(1000))
	if err != nil || o.OutTradeNo != "T001261123ORDER00001" {
		t.Fatalf("order = %q, %v; want the number drawn from WithRandom", o.OutTradeNo, err)
	}
	j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{})
	r, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
	if err != nil || r.RefundNo != "T001261123REFUND0001" {
		t.Fatalf("refund = %q, %v", r.RefundNo, err)
	}
	if o, err := j.CreateOrder(ctx, alipay(1000)); err != nil || o.OutTradeNo != "T001261123ORDER00002" {
		t.Fatalf("second order = %q, %v", o.OutTradeNo, err)
	}
}

// TestOrderNumberCollisionDrawsAgain: a number the journal already has (the
// UNIQUE constraint of orders) is drawn again in the same transaction.
func TestOrderNumberCollisionDrawsAgain(t *testing.T) {
	ctx := context.Background()
	j := openDrawing(t, "AAAAAAAAAA", "AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB")
	a, err := j.CreateOrder(ctx, alipay(100))
	if err != nil || a.OutTradeNo != "T001261123AAAAAAAAAA" {
		t.Fatalf("first = %q, %v", a.OutTradeNo, err)
	}
	b, err := j.CreateOrder(ctx, alipay(200))
	if err != nil || b.OutTradeNo != "T001261123BBBBBBBBBB" {
		t.Fatalf("second = %q, %v; want the third draw", b.OutTradeNo, err)
	}
	if got, _ := j.Order(ctx, a.OutTradeNo); got.Amount.Minor != 100 {
		t.Fatalf("the first order was overwritten: %+v", got)
	}
	if n := countRows(t, j, "orders"); n != 2 {
		t.Fatalf("%d orders", n)
	}
	if evs, _ := j.Events(ctx, b.OutTradeNo); len(evs) != 1 || evs[0].Kind != EventCreated {
		t.Fatalf("events of the redrawn order: %+v", evs)
	}
}

// TestRefundAndOrderNumbersShareANamespace: QFPay has one namespace for
// both, so a refund never takes an order's number and an order never takes
// a refund's number.
func TestRefundAndOrderNumbersShareANamespace(t *testing.T) {
	ctx := context.Background()
	j := openDrawing(t,
		"AAAAAAAAAA",               // order A
		"AAAAAAAAAA", "CCCCCCCCCC", // refund: A is an order number: drawn again
		"CCCCCCCCCC", "DDDDDDDDDD", // order D: C is a refund number: drawn again
	)
	a, err := j.CreateOrder(ctx, alipay(1000))
	if err != nil {
		t.Fatal(err)
	}
	j.Transition(ctx, a.OutTradeNo, payments.Paid, Change{})
	r, err := j.CreateRefund(ctx, a.OutTradeNo, hkd(100))
	if err != nil || r.RefundNo != "T001261123CCCCCCCCCC" {
		t.Fatalf("refund = %q, %v; want the second draw", r.RefundNo, err)
	}
	d, err := j.CreateOrder(ctx, alipay(1000))
	if err != nil || d.OutTradeNo != "T001261123DDDDDDDDDD" {
		t.Fatalf("order = %q, %v; want the second draw", d.OutTradeNo, err)
	}
}

// TestRefundNumberCollisionDrawsAgain: the UNIQUE constraint of refunds.
func TestRefundNumberCollisionDrawsAgain(t *testing.T) {
	ctx := context.Background()
	j := openDrawing(t, "ORDER00001", "REFUND0001", "REFUND0001", "REFUND0002")
	o, _ := j.CreateOrder(ctx, alipay(1000))
	j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{})
	r1, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
	if err != nil {
		t.Fatal(err)
	}
	j.TransitionRefund(ctx, r1.RefundNo, payments.RefundDone, RefundChange{})
	r2, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
	if err != nil || r2.RefundNo != "T001261123REFUND0002" {
		t.Fatalf("second refund = %q, %v", r2.RefundNo, err)
	}
}

// TestBrokenRandomSourceWritesNothing: a source that keeps drawing taken
// numbers, or runs dry, is an error and leaves no half order behind.
func TestBrokenRandomSourceWritesNothing(t *testing.T) {
	ctx := context.Background()
	parts := []string{"AAAAAAAAAA"}
	for i := 0; i < maxDraws; i++ {
		parts = append(parts, "AAAAAAAAAA")
	}
	j := openDrawing(t, parts...)
	if _, err := j.CreateOrder(ctx, alipay(100)); err != nil {
		t.Fatal(err)
	}
	if _, err := j.CreateOrder(ctx, alipay(100)); err == nil || !strings.Contains(err.Error(), "random") {
		t.Fatalf("%d colliding draws: %v", maxDraws, err)
	}
	if _, err := j.CreateOrder(ctx, alipay(100)); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("a dry random source: %v", err)
	}
	if n, e := countRows(t, j, "orders"), countRows(t, j, "order_events"); n != 1 || e != 1 {
		t.Fatalf("%d orders, %d events after refused draws", n, e)
	}
}
