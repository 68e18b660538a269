package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

func adopted(no string) AdoptedOrder {
	return AdoptedOrder{OutTradeNo: no, TID: "T001", Provider: payments.QFPay, MethodCode: "800201", Amount: hkd(4200),
		ProviderRef: "20260310000000000000000042", PaidAt: time.Date(2026, 3, 10, 11, 30, 0, 0, time.UTC),
		CashAmount: payments.Money{Minor: 3837, Currency: "CNY"}, ExchangeRate: "0.9136", Detail: "taken in",
		Audit: AuditEntry{TID: "T001", Actor: "manager", Action: "reconcile_take_in", Detail: no}}
}

func TestAdoptOrder(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	o, err := j.AdoptOrder(ctx, adopted("T001260310PLANTED001"))
	if err != nil {
		t.Fatal(err)
	}
	if o.State != payments.Paid || o.Mode != payments.MPM || o.Amount != hkd(4200) || o.ProviderRef != "20260310000000000000000042" ||
		!o.CreatedAt.Equal(time.Date(2026, 3, 10, 11, 30, 0, 0, time.UTC)) || o.TID != "T001" || o.CashAmount.Minor != 3837 || o.ExchangeRate != "0.9136" {
		t.Errorf("taken in: %+v", o)
	}
	evs, err := j.Events(ctx, o.OutTradeNo)
	if err != nil || len(evs) != 2 || evs[0].Kind != EventCreated || evs[1].StateFrom != payments.Created || evs[1].StateTo != payments.Paid {
		t.Errorf("events: %+v %v", evs, err)
	}
	if open, _ := j.OpenOrders(ctx); len(open) != 0 {
		t.Errorf("a paid sale left open: %+v", open)
	}
	audit, _ := j.AuditLog(ctx, "T001", 10)
	if len(audit) != 1 || audit[0].Action != "reconcile_take_in" || audit[0].Actor != "manager" {
		t.Errorf("audit: %+v", audit)
	}
	// Head office hears of it like of any sale.
	entries, err := j.Outbox(ctx, 0, 100)
	found := false
	for _, e := range entries {
		found = found || e.Kind == "order" && strings.Contains(string(e.Body), o.OutTradeNo) && strings.Contains(string(e.Body), `"paid"`)
	}
	if err != nil || !found {
		t.Errorf("no outbox entry of the order: %v", err)
	}
	// It is a sale like the others: it can be refunded.
	if _, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100)); err != nil {
		t.Errorf("refund of a sale taken in: %v", err)
	}
}

func TestAdoptOrderRefusals(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	sale := newSale(t, j, "800201", 500)
	j.Transition(ctx, sale.OutTradeNo, payments.Paid, Change{ProviderRef: "S1"})
	r, err := j.CreateRefund(ctx, sale.OutTradeNo, hkd(100))
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]AdoptedOrder{
		"a sale's number":   adopted(sale.OutTradeNo),
		"a refund's number": adopted(r.RefundNo),
	} {
		if _, err := j.AdoptOrder(ctx, a); !errors.Is(err, ErrNumberTaken) {
			t.Errorf("%s: %v, want ErrNumberTaken", name, err)
		}
	}
	bad := map[string]func(*AdoptedOrder){
		"unknown method":  func(a *AdoptedOrder) { a.MethodCode = "999999" },
		"no reference":    func(a *AdoptedOrder) { a.ProviderRef = "" },
		"no amount":       func(a *AdoptedOrder) { a.Amount = payments.Money{Currency: "HKD"} },
		"odd currency":    func(a *AdoptedOrder) { a.Amount.Currency = "XXX" },
		"no audit":        func(a *AdoptedOrder) { a.Audit = AuditEntry{} },
		"no order number": func(a *AdoptedOrder) { a.OutTradeNo = "" },
	}
	for name, f := range bad {
		a := adopted("T001260310BAD")
		f(&a)
		if _, err := j.AdoptOrder(ctx, a); err == nil {
			t.Errorf("%s: taken in", name)
		}
	}
	if _, err := j.Order(ctx, "T001260310BAD"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused sale was written: %v", err)
	}
	if audit, _ := j.AuditLog(ctx, "T001", 10); len(audit) != 0 {
		t.Errorf("refusals audited as takings: %+v", audit)
	}

	ro, err := OpenReadOnly(ctx, filepath.Join(filepath.Dir(j.Path()), "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.AdoptOrder(ctx, adopted("T001260310RO")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
}

func TestRefundsCreatedBetween(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 9, 23, 59, 0, 0, time.UTC)
	j, err := Open(ctx, filepath.Join(privateDir(t), "pos.db"), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	sale := newSale(t, j, "800201", 500)
	j.Transition(ctx, sale.OutTradeNo, payments.Paid, Change{ProviderRef: "S1"})
	before, _ := j.CreateRefund(ctx, sale.OutTradeNo, hkd(100))
	j.TransitionRefund(ctx, before.RefundNo, payments.RefundDone, RefundChange{})
	now = now.Add(2 * time.Minute) // the next day
	during, _ := j.CreateRefund(ctx, sale.OutTradeNo, hkd(100))
	other, _ := j.CreateOrder(ctx, NewOrder{TID: "T002", Provider: payments.QFPay, MethodCode: "800201", Mode: payments.MPM, Amount: hkd(300)})
	j.Transition(ctx, other.OutTradeNo, payments.Paid, Change{ProviderRef: "S2"})
	j.CreateRefund(ctx, other.OutTradeNo, hkd(100))

	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	got, err := j.RefundsCreatedBetween(ctx, "T001", day, day.AddDate(0, 0, 1))
	if err != nil || len(got) != 1 || got[0].RefundNo != during.RefundNo || got[0].State != payments.RefundCreated {
		t.Errorf("refunds of the day: %+v %v", got, err)
	}
}
