package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"qrpos/payments"
)

func saleReceipt(t *testing.T, want payments.State) func(o payments.Order) (PrintJob, error) {
	return func(o payments.Order) (PrintJob, error) {
		if o.State != want {
			t.Errorf("receipt built for an order in state %s, want %s", o.State, want)
		}
		return PrintJob{Kind: PrintSale, Payload: []byte(fmt.Sprintf(`{"no":%q,"state":%q,"ref":%q}`, o.OutTradeNo, o.State, o.ProviderRef))}, nil
	}
}

// TestTransitionQueuesReceipt: the receipt is built from the order as it
// stands after the change and queued in the same transaction; an error from
// the receipt rolls the change back.
func TestTransitionQueuesReceipt(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o := newSale(t, j, "ALIPAYHK", 1000)
	j.Transition(ctx, o.OutTradeNo, payments.Pending, Change{})
	got, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{ProviderRef: "REF1", Receipt: saleReceipt(t, payments.Paid)})
	if err != nil || got.State != payments.Paid {
		t.Fatalf("paid: %+v, %v", got, err)
	}
	ps, _ := j.PrintsOf(ctx, o.OutTradeNo)
	want := fmt.Sprintf(`{"no":%q,"state":"paid","ref":"REF1"}`, o.OutTradeNo)
	if len(ps) != 1 || ps[0].Kind != PrintSale || string(ps[0].Payload) != want || ps[0].OutTradeNo != o.OutTradeNo || ps[0].Printed {
		t.Fatalf("print jobs: %+v", ps)
	}

	// A failing receipt: nothing of the transition remains.
	b := newSale(t, j, "ALIPAYHK", 500)
	j.Transition(ctx, b.OutTradeNo, payments.Pending, Change{})
	evs, _ := j.Events(ctx, b.OutTradeNo)
	boom := errors.New("layout failed")
	_, err = j.Transition(ctx, b.OutTradeNo, payments.Paid, Change{ProviderRef: "REF2",
		Receipt: func(payments.Order) (PrintJob, error) { return PrintJob{}, boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("failing receipt: %v", err)
	}
	after, _ := j.Order(ctx, b.OutTradeNo)
	evs2, _ := j.Events(ctx, b.OutTradeNo)
	ps, _ = j.PrintsOf(ctx, b.OutTradeNo)
	if after.State != payments.Pending || after.ProviderRef != "" || len(evs2) != len(evs) || len(ps) != 0 {
		t.Fatalf("after a failed receipt: %+v, %d events (was %d), %d jobs", after, len(evs2), len(evs), len(ps))
	}
	// A receipt of another order is refused.
	_, err = j.Transition(ctx, b.OutTradeNo, payments.Paid, Change{
		Receipt: func(payments.Order) (PrintJob, error) {
			return PrintJob{OutTradeNo: o.OutTradeNo, Kind: PrintSale}, nil
		}})
	if err == nil {
		t.Fatal("a receipt of another order was queued")
	}
	// A failed order the provider says was paid after all gets its receipt.
	c := newSale(t, j, "ALIPAYHK", 700)
	j.Transition(ctx, c.OutTradeNo, payments.Failed, Change{Reason: "declined"})
	if _, err := j.Transition(ctx, c.OutTradeNo, payments.Paid, Change{Receipt: saleReceipt(t, payments.Paid)}); err != nil {
		t.Fatalf("failed -> paid: %v", err)
	}
	if ps, _ := j.PrintsOf(ctx, c.OutTradeNo); len(ps) != 1 {
		t.Fatalf("failed -> paid queued %d receipts", len(ps))
	}
}

// TestTransitionRefundQueuesReceipt: the refund receipt sees the refund
// done and the order's new total and state, carries the refund number, and
// rolls everything back when it fails.
func TestTransitionRefundQueuesReceipt(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o := newSale(t, j, "ALIPAYHK", 1000)
	j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{})
	r, _ := j.CreateRefund(ctx, o.OutTradeNo, hkd(400))
	var seenO payments.Order
	var seenR payments.Refund
	_, err := j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, RefundChange{ProviderRef: "RR1",
		Receipt: func(o payments.Order, r payments.Refund) (PrintJob, error) {
			seenO, seenR = o, r
			return PrintJob{Kind: PrintRefund, Payload: []byte(r.RefundNo)}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if seenO.State != payments.PartlyRefunded || seenO.Refunded.Minor != 400 || seenR.State != payments.RefundDone ||
		seenR.ProviderRef != "RR1" || seenR.RefundNo != r.RefundNo || seenR.OutTradeNo != o.OutTradeNo {
		t.Fatalf("receipt built from %+v / %+v", seenO, seenR)
	}
	ps, _ := j.PrintsOf(ctx, o.OutTradeNo)
	if len(ps) != 1 || ps[0].Kind != PrintRefund || ps[0].RefundNo != r.RefundNo || ps[0].OutTradeNo != o.OutTradeNo {
		t.Fatalf("print jobs: %+v", ps)
	}
	q, _ := j.QueuedPrints(ctx, 0)
	if len(q) != 1 || q[0].RefundNo != r.RefundNo {
		t.Fatalf("queue: %+v", q)
	}

	r2, _ := j.CreateRefund(ctx, o.OutTradeNo, hkd(600))
	boom := errors.New("no paper layout")
	_, err = j.TransitionRefund(ctx, r2.RefundNo, payments.RefundDone, RefundChange{ProviderRef: "RR2",
		Receipt: func(o payments.Order, r payments.Refund) (PrintJob, error) {
			if o.State != payments.Refunded || o.Refunded.Minor != 1000 {
				t.Errorf("second receipt built from %+v", o)
			}
			return PrintJob{}, boom
		}})
	if !errors.Is(err, boom) {
		t.Fatalf("failing refund receipt: %v", err)
	}
	got, _ := j.Order(ctx, o.OutTradeNo)
	gotR, _ := j.Refund(ctx, r2.RefundNo)
	ps, _ = j.PrintsOf(ctx, o.OutTradeNo)
	if got.State != payments.PartlyRefunded || got.Refunded.Minor != 400 || gotR.State != payments.RefundCreated || gotR.ProviderRef != "" || len(ps) != 1 {
		t.Fatalf("after a failed refund receipt: order %+v, refund %+v, %d jobs", got, gotR, len(ps))
	}
}

// TestMissingReceipts: paid (or refunded) orders without a sale receipt and
// done refunds without a receipt of their own number, and nothing else.
func TestMissingReceipts(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	paid := func(minor int64, receipt bool) payments.Order {
		o := newSale(t, j, "ALIPAYHK", minor)
		ch := Change{}
		if receipt {
			ch.Receipt = saleReceipt(t, payments.Paid)
		}
		o, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, ch)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	withReceipt := paid(100, true)
	lost := paid(200, false)
	pending := newSale(t, j, "ALIPAYHK", 300)
	j.Transition(ctx, pending.OutTradeNo, payments.Pending, Change{})
	failed := newSale(t, j, "ALIPAYHK", 400)
	j.Transition(ctx, failed.OutTradeNo, payments.Failed, Change{})
	reprinted := paid(500, false)
	j.EnqueuePrint(ctx, PrintJob{OutTradeNo: reprinted.OutTradeNo, Kind: PrintReprint, Payload: []byte("{}")})

	// Refunds of the receipted sale: one with its receipt, one without, one
	// failed; a refund job of one refund does not count for another.
	refund := func(minor int64, to payments.RefundState, receipt bool) payments.Refund {
		r, err := j.CreateRefund(ctx, withReceipt.OutTradeNo, hkd(minor))
		if err != nil {
			t.Fatal(err)
		}
		ch := RefundChange{}
		if receipt {
			ch.Receipt = func(payments.Order, payments.Refund) (PrintJob, error) { return PrintJob{Kind: PrintRefund}, nil }
		}
		if r, err = j.TransitionRefund(ctx, r.RefundNo, to, ch); err != nil {
			t.Fatal(err)
		}
		return r
	}
	refund(10, payments.RefundDone, true)
	lostRefund := refund(20, payments.RefundDone, false)
	refund(30, payments.RefundFailed, false)
	open, _ := j.CreateRefund(ctx, withReceipt.OutTradeNo, hkd(5))
	_ = open

	sales, refunds, err := j.MissingReceipts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sales) != 2 || sales[0].OutTradeNo != lost.OutTradeNo || sales[1].OutTradeNo != reprinted.OutTradeNo {
		t.Fatalf("missing sales: %+v", sales)
	}
	if len(refunds) != 1 || refunds[0].RefundNo != lostRefund.RefundNo || refunds[0].OutTradeNo != withReceipt.OutTradeNo {
		t.Fatalf("missing refunds: %+v", refunds)
	}

	// Queued by recovery, they are missing no more; a refund receipt is
	// linked by its refund number alone.
	j.EnqueuePrint(ctx, PrintJob{OutTradeNo: lost.OutTradeNo, Kind: PrintSale, Payload: []byte("{}")})
	j.EnqueuePrint(ctx, PrintJob{OutTradeNo: reprinted.OutTradeNo, Kind: PrintSale, Payload: []byte("{}")})
	id, err := j.EnqueuePrint(ctx, PrintJob{RefundNo: lostRefund.RefundNo, Kind: PrintRefund, Payload: []byte("{}")})
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := j.QueuedPrints(ctx, 0); q[len(q)-1].ID != id || q[len(q)-1].OutTradeNo != withReceipt.OutTradeNo || q[len(q)-1].RefundNo != lostRefund.RefundNo {
		t.Fatalf("refund receipt queued as %+v", q[len(q)-1])
	}
	if sales, refunds, err := j.MissingReceipts(ctx); err != nil || len(sales) != 0 || len(refunds) != 0 {
		t.Fatalf("after queueing: %+v %+v %v", sales, refunds, err)
	}
	if _, err := j.EnqueuePrint(ctx, PrintJob{RefundNo: "T001NOPE", Kind: PrintRefund}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("receipt of an unknown refund: %v", err)
	}
	if _, err := j.EnqueuePrint(ctx, PrintJob{OutTradeNo: lost.OutTradeNo, RefundNo: lostRefund.RefundNo, Kind: PrintRefund}); err == nil {
		t.Fatal("a refund receipt queued under another order")
	}
}

// TestMigrateSchema1Journal: a journal an earlier version wrote (schema 1)
// gains its identity, the refund_no of its old refund receipts (paired in
// order with its done refunds) and the receipt marks, and loses nothing.
func TestMigrateSchema1Journal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	body, err := migrations.ReadFile("migrations/0001_journal.sql")
	if err != nil {
		t.Fatal(err)
	}
	rawExec(t, path, "PRAGMA journal_mode=WAL", string(body),
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
		"INSERT INTO schema_version VALUES (1, 0)",
		"INSERT INTO counters VALUES ('order_seq', 80000000)",
		`INSERT INTO orders (id, out_trade_no, tid, provider, method, mode, amount_minor, currency, refunded_minor, state, settled, created_at, updated_at) VALUES
			(1, 'T001261123080000001', 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 1000, 'HKD', 0, 'paid', 1, 1, 1),
			(2, 'T001261123080000002', 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 1000, 'HKD', 0, 'paid', 1, 2, 2),
			(3, 'T001261123080000003', 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 1000, 'HKD', 300, 'partly_refunded', 1, 3, 3),
			(4, 'T001261123080000004', 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 1000, 'HKD', 0, 'pending', 0, 4, 4)`,
		`INSERT INTO refunds (id, refund_no, order_id, amount_minor, currency, state, created_at, updated_at) VALUES
			(1, 'T001261123080000005', 3, 100, 'HKD', 'done', 5, 6),
			(2, 'T001261123080000006', 3, 50, 'HKD', 'failed', 7, 8),
			(3, 'T001261123080000007', 3, 200, 'HKD', 'done', 9, 10)`,
		`INSERT INTO print_queue (id, order_id, kind, payload, created_at) VALUES
			(1, 1, 'sale', x'7b7d', 1), (2, 3, 'sale', x'7b7d', 3), (3, 3, 'refund', x'7b7d', 6),
			(4, NULL, 'report', x'7b7d', 7), (5, 2, 'reprint', x'7b7d', 8)`,
	)
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if v, _ := j.SchemaVersion(ctx); v != knownVersion || len(j.ID()) != 32 {
		t.Fatalf("schema %d, ID %q", v, j.ID())
	}
	if o, err := j.Order(ctx, "T001261123080000003"); err != nil || o.Refunded.Minor != 300 {
		t.Fatalf("old order: %+v, %v", o, err)
	}
	ps, _ := j.PrintsOf(ctx, "T001261123080000003")
	if len(ps) != 2 || ps[0].RefundNo != "" || ps[1].RefundNo != "T001261123080000005" {
		t.Fatalf("old print jobs: %+v", ps)
	}
	sales, refunds, err := j.MissingReceipts(ctx)
	if err != nil || len(sales) != 1 || sales[0].OutTradeNo != "T001261123080000002" ||
		len(refunds) != 1 || refunds[0].RefundNo != "T001261123080000007" {
		t.Fatalf("missing after migration: %+v %+v %v", sales, refunds, err)
	}
	// New numbers never collide with the old sequence's: they are drawn.
	o, err := j.CreateOrder(ctx, alipay(100))
	if err != nil || strings.HasPrefix(o.OutTradeNo[10:], "0800000") {
		t.Fatalf("new order %q, %v", o.OutTradeNo, err)
	}
}

// TestOpenAfterInterruptedFirstStart: an earlier version created
// schema_version before its first migration; a crash between left a file
// with that one empty table. It is a new journal, not a foreign file.
func TestOpenAfterInterruptedFirstStart(t *testing.T) {
	path := filepath.Join(privateDir(t), "pos.db")
	rawExec(t, path, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	newSale(t, j, "ALIPAYHK", 100)
}

// TestOneRefundInFlight: while a refund of an order is not done or failed,
// another refund of it is refused, whatever the balance.
func TestOneRefundInFlight(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o := newSale(t, j, "ALIPAYHK", 10000)
	j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{})
	r1, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(3000))
	if err != nil {
		t.Fatal(err)
	}
	refused := func(when string) {
		t.Helper()
		n := countRows(t, j, "refunds")
		_, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
		var re *RefundError
		want := "refund " + r1.RefundNo + " of HK$30.00 is still being checked with the provider; wait for it before refunding again"
		if !errors.As(err, &re) || re.Reason != want || re.OutTradeNo != o.OutTradeNo {
			t.Fatalf("%s: %v, want %q", when, err, want)
		}
		if countRows(t, j, "refunds") != n {
			t.Fatalf("%s: a refused refund was written", when)
		}
	}
	refused("created")
	j.TransitionRefund(ctx, r1.RefundNo, payments.RefundUnknown, RefundChange{})
	refused("unknown")
	j.TransitionRefund(ctx, r1.RefundNo, payments.RefundPending, RefundChange{})
	refused("pending")
	j.TransitionRefund(ctx, r1.RefundNo, payments.RefundFailed, RefundChange{})
	r2, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(3000))
	if err != nil {
		t.Fatalf("after the first failed: %v", err)
	}
	j.TransitionRefund(ctx, r2.RefundNo, payments.RefundDone, RefundChange{})
	if _, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(7000)); err != nil {
		t.Fatalf("after the second was done: %v", err)
	}
}
