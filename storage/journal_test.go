package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

func openTest(t testing.TB) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(privateDir(t), "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

func newSale(t testing.TB, j *Journal, method string, minor int64) payments.Order {
	t.Helper()
	p := payments.Eftpay
	if len(method) == 6 && method[0] == '8' {
		p = payments.QFPay
	}
	m, err := payments.LookupMethod(p, method)
	if err != nil {
		t.Fatal(err)
	}
	o, err := j.CreateOrder(context.Background(), NewOrder{TID: "T001", Provider: p, MethodCode: method, Mode: m.Mode, Amount: hkd(minor)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOpenSetsDurablePragmasAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := newSale(t, j, "ALIPAYHK", 100)
	j.Close()
	j, err = Open(ctx, path) // reopening must not re-run migrations
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if v, err := j.SchemaVersion(ctx); err != nil || v != knownVersion || knownVersion != 7 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
	var busy int
	if err := j.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 10000 {
		t.Fatalf("busy_timeout = %d, %v", busy, err)
	}
	if _, err := j.Order(ctx, o.OutTradeNo); err != nil {
		t.Fatalf("order lost across reopen: %v", err)
	}
	var applied int
	if err := j.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_version").Scan(&applied); err != nil || applied != knownVersion {
		t.Fatalf("%d schema_version rows after reopening, %v; want %d", applied, err, knownVersion)
	}
	if o2 := newSale(t, j, "ALIPAYHK", 100); o2.OutTradeNo == o.OutTradeNo {
		t.Fatalf("number %s given twice", o.OutTradeNo)
	}
}

func TestOrderLifecycle(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.QFPay, MethodCode: "800008", Mode: payments.CPM,
		Amount: hkd(1234), AuthCode: "134567890123456789", Detail: "cashier charge"})
	if err != nil {
		t.Fatal(err)
	}
	if o.State != payments.Created || !strings.HasPrefix(o.OutTradeNo, "T001") || len(o.OutTradeNo) > 28 {
		t.Fatalf("created %+v", o)
	}
	if o.AuthCode != "**************6789" {
		t.Fatalf("auth code kept as %q, want it masked", o.AuthCode)
	}
	if err := j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "payment"}); err != nil {
		t.Fatal(err)
	}
	o, err = j.Transition(ctx, o.OutTradeNo, payments.Pending, Change{ProviderRef: "SYS1", Detail: "1145"})
	if err != nil || o.State != payments.Pending || o.ProviderRef != "SYS1" {
		t.Fatalf("pending: %+v, %v", o, err)
	}
	// An illegal change is refused and changes nothing.
	_, err = j.Transition(ctx, o.OutTradeNo, payments.Refunded, Change{})
	var te *payments.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("pending -> refunded: %v, want TransitionError", err)
	}
	if got, _ := j.Order(ctx, o.OutTradeNo); got.State != payments.Pending {
		t.Fatalf("state after refused change = %s", got.State)
	}
	o, err = j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{Kind: EventResponse, Detail: "0000"})
	if err != nil || o.State != payments.Paid {
		t.Fatalf("paid: %v", err)
	}
	evs, err := j.Events(ctx, o.OutTradeNo)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind+":"+string(e.StateTo))
	}
	if got := strings.Join(kinds, ","); got != "created:created,request:,state:pending,response:paid" {
		t.Fatalf("events = %s", got)
	}
	if _, err := j.Order(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
	if err := j.Append(ctx, "nope", Event{Kind: EventNote}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("event on missing order: %v", err)
	}
	if _, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "800101", Amount: hkd(5)}); err == nil {
		t.Fatal("order with a method of the other provider accepted")
	}
	if _, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "PAYME", Amount: hkd(0)}); err == nil {
		t.Fatal("zero amount accepted")
	}
}

func TestOpenOrdersOldestFirst(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	j, err := Open(ctx, filepath.Join(privateDir(t), "pos.db"), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	a := newSale(t, j, "WECHATHK", 100)
	b := newSale(t, j, "PAYME", 200)
	c := newSale(t, j, "FPS", 300)
	if _, err := j.Transition(ctx, b.OutTradeNo, payments.Failed, Change{Reason: "declined"}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Transition(ctx, c.OutTradeNo, payments.Unknown, Change{}); err != nil {
		t.Fatal(err)
	}
	open, err := j.OpenOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[0].OutTradeNo != a.OutTradeNo || open[1].OutTradeNo != c.OutTradeNo {
		t.Fatalf("open = %+v", open)
	}
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	all, err := j.Orders(ctx, Filter{TID: "T001", From: day, To: day.AddDate(0, 0, 1)})
	if err != nil || len(all) != 3 || all[0].OutTradeNo != c.OutTradeNo {
		t.Fatalf("orders of the day = %d, %v", len(all), err)
	}
	found, err := j.Orders(ctx, Filter{Search: b.OutTradeNo[len(b.OutTradeNo)-6:]})
	if err != nil || len(found) != 1 || found[0].Reason != "declined" {
		t.Fatalf("search = %+v, %v", found, err)
	}
	if none, _ := j.Orders(ctx, Filter{TID: "T999"}); len(none) != 0 {
		t.Fatal("other tid matched")
	}
}

func TestRefundBalance(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o := newSale(t, j, "ALIPAYHK", 1000)
	if _, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100)); err == nil {
		t.Fatal("refund of an unpaid order accepted")
	}
	if _, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{}); err != nil {
		t.Fatal(err)
	}
	r1, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(600))
	if err != nil {
		t.Fatal(err)
	}
	if r1.RefundNo == o.OutTradeNo || r1.State != payments.RefundCreated {
		t.Fatalf("refund = %+v", r1)
	}
	if _, err := j.TransitionRefund(ctx, r1.RefundNo, payments.RefundDone, RefundChange{ProviderRef: "R1"}); err != nil {
		t.Fatal(err)
	}
	got, _ := j.Order(ctx, o.OutTradeNo)
	if got.State != payments.PartlyRefunded || got.Refunded.Minor != 600 || got.Refundable().Minor != 400 {
		t.Fatalf("after partial refund: %+v", got)
	}
	// 600 is refunded: only 400 is left.
	var re *RefundError
	if _, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(401)); !errors.As(err, &re) || !strings.Contains(re.Reason, "more than the HK$4.00") {
		t.Fatalf("over-refund: %v", err)
	}
	if _, err := j.TransitionRefund(ctx, r1.RefundNo, payments.RefundDone, RefundChange{}); err == nil {
		t.Fatal("a refund was counted twice")
	}
	r2, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(400))
	if err != nil {
		t.Fatal(err)
	}
	if open, _ := j.OpenRefunds(ctx); len(open) != 1 || open[0].RefundNo != r2.RefundNo {
		t.Fatalf("open refunds = %+v", open)
	}
	if _, err := j.TransitionRefund(ctx, r2.RefundNo, payments.RefundDone, RefundChange{}); err != nil {
		t.Fatal(err)
	}
	got, _ = j.Order(ctx, o.OutTradeNo)
	if got.State != payments.Refunded || got.Refundable().Minor != 0 {
		t.Fatalf("after full refund: %+v", got)
	}
	if rs, _ := j.Refunds(ctx, o.OutTradeNo); len(rs) != 2 {
		t.Fatalf("refunds = %d", len(rs))
	}
	fps := newSale(t, j, "FPS", 500)
	j.Transition(ctx, fps.OutTradeNo, payments.Paid, Change{})
	if _, err := j.CreateRefund(ctx, fps.OutTradeNo, hkd(100)); !errors.As(err, &re) {
		t.Fatalf("FPS refund: %v", err)
	}
}

func TestPrintQueueProfileAudit(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o := newSale(t, j, "ALIPAYHK", 1000)
	id1, err := j.EnqueuePrint(ctx, PrintJob{OutTradeNo: o.OutTradeNo, Kind: PrintSale, Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := j.EnqueuePrint(ctx, PrintJob{Kind: PrintReport, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.MarkPrintFailed(ctx, id1, "paper out"); err != nil {
		t.Fatal(err)
	}
	q, _ := j.QueuedPrints(ctx, 0)
	if len(q) != 2 || q[0].ID != id1 || q[0].Attempts != 1 || q[0].LastError != "paper out" || q[0].OutTradeNo != o.OutTradeNo {
		t.Fatalf("queue = %+v", q)
	}
	if err := j.MarkPrinted(ctx, id1); err != nil {
		t.Fatal(err)
	}
	q, _ = j.QueuedPrints(ctx, 0)
	if len(q) != 1 || q[0].ID != id2 {
		t.Fatalf("queue after print = %+v", q)
	}
	if ps, _ := j.PrintsOf(ctx, o.OutTradeNo); len(ps) != 1 || !ps[0].Printed {
		t.Fatalf("prints of order = %+v", ps)
	}
	if err := j.MarkPrinted(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("mark missing job: %v", err)
	}

	if _, _, err := j.Profile(ctx, "T001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing profile: %v", err)
	}
	j.SaveProfile(ctx, "T001", []byte(`{"store":"A"}`))
	j.SaveProfile(ctx, "T001", []byte(`{"store":"B"}`))
	if p, _, err := j.Profile(ctx, "T001"); err != nil || string(p) != `{"store":"B"}` {
		t.Fatalf("profile = %s, %v", p, err)
	}

	j.Audit(ctx, AuditEntry{TID: "T001", Actor: "manager", Action: "settings", Detail: "store name"})
	j.Audit(ctx, AuditEntry{TID: "T001", Actor: "manager", Action: "refund"})
	log, err := j.AuditLog(ctx, "T001", 0)
	if err != nil || len(log) != 2 || log[0].Action != "refund" {
		t.Fatalf("audit = %+v, %v", log, err)
	}
}

func TestJournalFileIsPrivate(t *testing.T) {
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	newSale(t, j, "ALIPAYHK", 100)
	j.Close()
	for _, f := range []string{path, path + "-wal"} {
		fi, err := os.Stat(f)
		if err != nil {
			if f == path {
				t.Fatal(err)
			}
			continue // the WAL is gone after a clean close
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %o: others can read the journal", f, fi.Mode().Perm())
		}
	}
}
