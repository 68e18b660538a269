package storage

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"qrpos/payments"
)

// TestOpenReadOnly: a read-only journal reads what the owner writes, while
// the owner holds the lock, and refuses every write with ErrReadOnly,
// leaving the files as they were.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := privateDir(t)
	path := filepath.Join(dir, "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	o := newSale(t, j, "ALIPAYHK", 1000)
	j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{ProviderRef: "REF"})
	r, _ := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
	if _, err := j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, RefundChange{Receipt: func(o payments.Order, r payments.Refund) (PrintJob, error) {
		return PrintJob{Kind: PrintRefund, Payload: []byte("{}")}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	j.SaveProfile(ctx, "T001", []byte(`{"a":1}`))

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() || j.ReadOnly() || ro.ID() != j.ID() {
		t.Fatalf("ReadOnly %v/%v, ID %q/%q", ro.ReadOnly(), j.ReadOnly(), ro.ID(), j.ID())
	}
	if got, err := ro.Order(ctx, o.OutTradeNo); err != nil || got.State != payments.PartlyRefunded {
		t.Fatalf("read-only order: %+v, %v", got, err)
	}
	if ps, err := ro.PrintsOf(ctx, o.OutTradeNo); err != nil || len(ps) != 1 || ps[0].RefundNo != r.RefundNo {
		t.Fatalf("read-only prints: %+v, %v", ps, err)
	}
	if sales, refunds, err := ro.MissingReceipts(ctx); err != nil || len(sales) != 1 || len(refunds) != 0 {
		t.Fatalf("read-only missing receipts: %d, %d, %v", len(sales), len(refunds), err)
	}
	if p, _, err := ro.Profile(ctx, "T001"); err != nil || string(p) != `{"a":1}` {
		t.Fatalf("read-only profile: %s, %v", p, err)
	}

	// Every write is refused.
	before := filesSum(t, dir)
	writes := map[string]func() error{
		"CreateOrder": func() error { _, err := ro.CreateOrder(ctx, alipay(100)); return err },
		"Append":      func() error { return ro.Append(ctx, o.OutTradeNo, Event{Kind: EventNote}) },
		"Transition": func() error {
			_, err := ro.Transition(ctx, o.OutTradeNo, payments.Refunded, Change{})
			return err
		},
		"Update":       func() error { _, err := ro.Update(ctx, o.OutTradeNo, Change{Detail: "x"}); return err },
		"CreateRefund": func() error { _, err := ro.CreateRefund(ctx, o.OutTradeNo, hkd(1)); return err },
		"TransitionRefund": func() error {
			_, err := ro.TransitionRefund(ctx, r.RefundNo, payments.RefundFailed, RefundChange{})
			return err
		},
		"EnqueuePrint":    func() error { _, err := ro.EnqueuePrint(ctx, PrintJob{Kind: PrintTest}); return err },
		"MarkPrinted":     func() error { return ro.MarkPrinted(ctx, 1) },
		"MarkPrintFailed": func() error { return ro.MarkPrintFailed(ctx, 1, "x") },
		"SaveProfile":     func() error { return ro.SaveProfile(ctx, "T001", []byte("{}")) },
		"Audit":           func() error { return ro.Audit(ctx, AuditEntry{TID: "T001", Actor: "cli", Action: "x"}) },
	}
	for name, w := range writes {
		if err := w(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only journal: %v, want ErrReadOnly", name, err)
		}
	}
	// query_only is a second guard under ErrReadOnly.
	if _, err := ro.db.ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
		t.Error("the read-only connection accepted a DELETE")
	}
	if after := filesSum(t, dir); after != before {
		t.Fatalf("read-only writes changed the journal:\n%s\n%s", before, after)
	}

	// The owner goes on, and the reader sees it.
	o2 := newSale(t, j, "WECHATHK", 200)
	if _, err := ro.Order(ctx, o2.OutTradeNo); err != nil {
		t.Fatalf("the reader does not see a later order: %v", err)
	}
	// Closing the reader does not release the owner's lock.
	ro.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("Open succeeded while the owner holds the journal")
	}
}

// TestJournalID: 16 random bytes in hex, fixed when the journal is created,
// the same after reopening and read-only, another for another journal.
func TestJournalID(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id := j.ID()
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Fatalf("ID %q", id)
	}
	var stored string
	if err := j.db.QueryRow("SELECT value FROM meta WHERE key = 'journal_id'").Scan(&stored); err != nil || stored != id {
		t.Fatalf("meta journal_id = %q, %v", stored, err)
	}
	j.Close()
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if j.ID() != id {
		t.Fatalf("ID changed on reopening: %s -> %s", id, j.ID())
	}
	j.Close()
	if other := openTest(t); other.ID() == id || other.ID() == "" {
		t.Fatalf("two journals share the ID %q", id)
	}
}
