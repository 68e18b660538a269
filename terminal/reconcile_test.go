package terminal

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/reconcile"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// qrSale charges an MPM method through the engine and, once the QR is up,
// has the customer pay it (pay) or the cashier cancel it; it returns the
// order as the sale ended.
func qrSale(t *testing.T, c *Terminal, sb *sandbox.Server, p payments.Provider, code string, minor int64, pay bool) payments.Order {
	t.Helper()
	w, err := c.Charge(testCtx(t), checkout.ChargeRequest{Provider: p, MethodCode: code, Amount: hkd(minor)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	last, acted := w.First(), false
	for !last.Ended {
		if !acted && last.Order.State == payments.Pending && last.Order.QRCode != "" {
			acted = true
			if pay {
				if err := sb.Pay(last.Order.OutTradeNo, "success"); err != nil {
					t.Fatal(err)
				}
			} else {
				w.Cancel()
			}
		}
		v, ok := <-w.Views()
		if !ok {
			break
		}
		last = v
	}
	want := payments.Paid
	if !pay {
		want = payments.Closed
	}
	if last.Order.State != want {
		t.Fatalf("%s sale %s ended %s, want %s: %s", code, last.Order.OutTradeNo, last.Order.State, want, last.Order.Reason)
	}
	return last.Order
}

func refund(t *testing.T, c *Terminal, no string, minor int64) payments.Refund {
	t.Helper()
	r, err := c.Engine().Refund(testCtx(t), no, hkd(minor))
	if err != nil || r.State != payments.RefundDone {
		t.Fatalf("refund of %s: %+v %v", no, r, err)
	}
	return r
}

func today() time.Time { return time.Now().In(hongKong) }

func kindsOf(ds []Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Kind)+" "+d.OutTradeNo+" "+d.RefundNo)
	}
	sort.Strings(out)
	return out
}

// A day of sales, refunds (one partial) and cancelled orders, all made by
// the real engine through the sandbox, reconciles clean: QFPay's by its
// list of the day, eftPay's order by order.
func TestReconcileCleanDay(t *testing.T) {
	c, sb := openDemoCore(t)
	payNow(t, c, 1000)
	b := payNow(t, c, 2000)
	refund(t, c, b, 400) // partial
	cc := payNow(t, c, 3000)
	refund(t, c, cc, 3000) // whole
	qrSale(t, c, sb, payments.QFPay, "800101", 1230, false)
	e := qrSale(t, c, sb, payments.Eftpay, "ALIPAYHK", 880, true)
	refund(t, c, e.OutTradeNo, 80)
	qrSale(t, c, sb, payments.Eftpay, "WECHATHK", 990, false)

	r, err := c.ReconcileDay(testCtx(t), today())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Differences) != 0 || !r.Clean() || r.Ours() != 0 {
		t.Fatalf("a clean day: %v", kindsOf(r.Differences))
	}
	if r.Sales != 6 || r.Refunds != 3 || r.TID != "T001" || r.Day != today().Format("2006-01-02") {
		t.Errorf("compared %d sales and %d refunds of %s %s", r.Sales, r.Refunds, r.TID, r.Day)
	}
	checks := map[payments.Provider]ProviderCheck{}
	for _, p := range r.Providers {
		checks[p.Provider] = p
	}
	if q := checks[payments.QFPay]; !q.Listed || q.Queries != 0 || q.Records != 6 || q.Err != "" {
		t.Errorf("QFPay: %+v (want its list of 4 sales and 2 refunds, nothing asked one by one)", q)
	}
	if e := checks[payments.Eftpay]; e.Listed || e.Queries != 3 || e.Records != 3 || e.Err != "" {
		t.Errorf("eftPay: %+v (want 2 sales and a refund asked one by one)", e)
	}
}

// Every kind of difference planted in the sandbox (or, for what the
// provider lacks, in the journal) is found, once, on the right sale.
func TestReconcileFindsEachPlantedDifference(t *testing.T) {
	c, sb := openDemoCore(t)
	ctx := testCtx(t)
	amount := payNow(t, c, 1000)
	refunded := payNow(t, c, 2000)
	otherTID := payNow(t, c, 3000)
	partly := payNow(t, c, 4000)
	rf := refund(t, c, partly, 500)
	closed := qrSale(t, c, sb, payments.QFPay, "800101", 1230, false)
	eft := qrSale(t, c, sb, payments.Eftpay, "ALIPAYHK", 880, true)
	unasked := qrSale(t, c, sb, payments.Eftpay, "WECHATHK", 990, true)

	plant := func(p sandbox.Planting) sandbox.Planting {
		t.Helper()
		out, err := sb.Plant(p)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	unknown := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(4200), TID: "T001"})
	stranger := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800101", Amount: hkd(5100), TID: "T002"})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: amount, Amount: hkd(999)})
	portal := plant(sandbox.Planting{Kind: sandbox.PlantRefund, OutTradeNo: refunded, Amount: hkd(100)})
	plant(sandbox.Planting{Kind: sandbox.PlantTID, OutTradeNo: otherTID, TID: "T009"})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: rf.RefundNo, Amount: hkd(600)})
	plant(sandbox.Planting{Kind: sandbox.PlantPaid, OutTradeNo: closed.OutTradeNo})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: eft.OutTradeNo, Amount: hkd(800)})
	if err := sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "eftpay", Op: sandbox.OpQuery, OutTradeNo: unasked.OutTradeNo}); err != nil {
		t.Fatal(err)
	}
	// What the provider lacks: a sale and a refund the journal holds as
	// done that never reached it (a journal copied from elsewhere).
	j := c.Journal()
	ghost, err := j.CreateOrder(ctx, storage.NewOrder{TID: "T001", Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM, Amount: hkd(700)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Transition(ctx, ghost.OutTradeNo, payments.Paid, storage.Change{ProviderRef: "NOWHERE"}); err != nil {
		t.Fatal(err)
	}
	ghostRefund, err := j.CreateRefund(ctx, amount, hkd(100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.TransitionRefund(ctx, ghostRefund.RefundNo, payments.RefundDone, storage.RefundChange{}); err != nil {
		t.Fatal(err)
	}

	r, err := c.ReconcileDay(ctx, today())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"missing_here " + unknown.OutTradeNo + " ",
		"other_terminal " + stranger.OutTradeNo + " ",
		"amount_differs " + amount + " ",
		"refund_only_there " + refunded + " " + portal.RefundNo,
		"other_terminal " + otherTID + " ",
		"not_paid_there " + otherTID + " ", // its record is another terminal's
		"refund_differs " + partly + " " + rf.RefundNo,
		"not_paid_here " + closed.OutTradeNo + " ",
		"amount_differs " + eft.OutTradeNo + " ",
		"not_checked " + unasked.OutTradeNo + " ",
		"not_paid_there " + ghost.OutTradeNo + " ",
		"refund_only_here " + amount + " " + ghostRefund.RefundNo,
	}
	sort.Strings(want)
	if got := kindsOf(r.Differences); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("differences:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	seen := map[reconcile.Kind]bool{}
	for _, d := range r.Differences {
		seen[d.Kind] = true
	}
	for _, k := range DifferenceKinds() {
		if !seen[k] {
			t.Errorf("no %s found", k)
		}
	}
	if r.Clean() || r.Ours() != len(want)-2 {
		t.Errorf("clean %v, ours %d", r.Clean(), r.Ours())
	}
	for _, d := range r.Differences {
		if d.Kind == reconcile.AmountDiffers && d.OutTradeNo == amount && (d.Here != hkd(1000) || d.There != hkd(999)) {
			t.Errorf("amount differs: %+v", d)
		}
		if d.Kind == reconcile.MissingHere && (d.There != hkd(4200) || d.ProviderRef == "" || d.MethodCode != "800201") {
			t.Errorf("missing here: %+v", d)
		}
	}
}

// A sale the provider holds and the journal lacks is taken in by the
// manager on the provider's word asked again: the next reconciliation is
// clean, the day report counts it, the audit log says who and what.
func TestTakeInMakesTheDayClean(t *testing.T) {
	c, sb := openDemoCore(t)
	ctx := testCtx(t)
	payNow(t, c, 1000)
	unknown, err := sb.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(4200), TID: "T001"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.ReconcileDay(ctx, today())
	if err != nil || len(r.Differences) != 1 || !r.Differences[0].CanTakeIn() {
		t.Fatalf("before: %v %v", kindsOf(r.Differences), err)
	}
	d := r.Differences[0]
	o, err := c.TakeIn(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if o.OutTradeNo != unknown.OutTradeNo || o.State != payments.Paid || o.Amount != hkd(4200) || o.MethodCode != "800201" ||
		o.ProviderRef != d.ProviderRef || o.Provider != payments.QFPay || o.TID != "T001" {
		t.Errorf("taken in: %+v", o)
	}
	r, err = c.ReconcileDay(ctx, today())
	if err != nil || !r.Clean() || len(r.Differences) != 0 || r.Sales != 2 {
		t.Fatalf("after: %v %+v %v", kindsOf(r.Differences), r.Providers, err)
	}
	rep, err := c.DayReport(ctx, time.Now())
	if err != nil || rep.Total.Sales != 2 || rep.Total.Gross != hkd(5200) {
		t.Errorf("day report: %+v %v", rep.Total, err)
	}
	if actor, action, detail := newestAudit(t, c); actor != "manager" || action != "reconcile_take_in" || !strings.Contains(detail, unknown.OutTradeNo) {
		t.Errorf("audit: %s %s %s", actor, action, detail)
	}

	// Taken in once only; refused and audited when the provider's word no
	// longer allows it.
	var refused *TakeInRefused
	if _, err := c.TakeIn(ctx, d); !errors.As(err, &refused) {
		t.Errorf("taken in twice: %v", err)
	}
	if _, action, _ := newestAudit(t, c); action != "reconcile_take_in_refused" {
		t.Errorf("a refused take-in audited as %s", action)
	}
	gone, _ := sb.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(300), TID: "T001"})
	r, _ = c.ReconcileDay(ctx, today())
	var late Difference
	for _, d := range r.Differences {
		if d.OutTradeNo == gone.OutTradeNo {
			late = d
		}
	}
	sb.Plant(sandbox.Planting{Kind: sandbox.PlantRefund, OutTradeNo: gone.OutTradeNo, Amount: hkd(300)})
	if _, err := c.TakeIn(ctx, late); !errors.As(err, &refused) || !strings.Contains(refused.Reason, "refunded") {
		t.Errorf("a sale refunded since: %v", err)
	}
	stranger, _ := sb.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(300), TID: "T002"})
	forged := late
	forged.OutTradeNo, forged.ProviderRef = stranger.OutTradeNo, ""
	if _, err := c.TakeIn(ctx, forged); !errors.As(err, &refused) || !strings.Contains(refused.Reason, "T002") {
		t.Errorf("another terminal's sale: %v", err)
	}
	if _, err := c.Order(ctx, stranger.OutTradeNo); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused sale was journalled: %v", err)
	}
}

// A provider that cannot be asked is said so; its sales are not taken as
// missing there, and the day is not clean.
func TestReconcileProviderDown(t *testing.T) {
	c, sb := openDemoCore(t)
	payNow(t, c, 1000)
	if err := sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "qfpay", Op: sandbox.OpQuery}); err != nil {
		t.Fatal(err)
	}
	r, err := c.ReconcileDay(testCtx(t), today())
	if err != nil {
		t.Fatal(err)
	}
	var q ProviderCheck
	for _, p := range r.Providers {
		if p.Provider == payments.QFPay {
			q = p
		}
	}
	if q.Err == "" || r.Clean() || len(r.Differences) != 0 || r.Sales != 0 {
		t.Errorf("QFPay down: %+v, %v, clean %v", q, kindsOf(r.Differences), r.Clean())
	}
}
