package checkout

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// draws is a fixed stream of "random" bytes: two journals given the same
// seed draw the same order numbers, which is what a journal restored from a
// backup, deleted and recreated, or copied to a second terminal would do if
// its numbers came from a counter.
func draws(seed int64) *mrand.Rand { return mrand.New(mrand.NewSource(seed)) }

// requestsFor counts the sandbox's requests of op naming number no.
func (r *rig) requestsFor(op, no string) int { return r.requestsSince(0, op, no) }

// requestsSince counts them among the requests after the first skip.
func (r *rig) requestsSince(skip int, op, no string) int {
	n := 0
	reqs := r.sb.Requests()
	for _, q := range reqs[min(skip, len(reqs)):] {
		if q.Op == op && (q.OutTradeNo == no || q.RefundNo == no) {
			n++
		}
	}
	return n
}

// paidCPM takes a paid customer-code sale.
func (r *rig) paidCPM(minor int64, code string) payments.Order {
	r.t.Helper()
	o := r.wait(r.charge(payments.QFPay, "800008", minor, code))
	if o.State != payments.Paid {
		r.t.Fatalf("CPM sale = %s (%s)", o.State, o.Reason)
	}
	return o
}

// TestCollisionTakesFreshNumber: a terminal whose next order number is one
// the provider already holds for another, paid sale (88.00) charges 1.00.
// The provider refuses the number as a duplicate; the engine must not take
// the stranger's record as its own (never paid, never queried), and must
// send the sale once under a fresh number.
func TestCollisionTakesFreshNumber(t *testing.T) {
	for _, tc := range []struct {
		name, how string
		p         payments.Provider
		code      string
		cpm       bool
	}{
		{"eftpay MPM", "restored from a backup", payments.Eftpay, "ALIPAYHK", false},
		{"qfpay MPM", "deleted and recreated", payments.QFPay, "800101", false},
		{"qfpay CPM bad code", "a second terminal with the same tid", payments.QFPay, "800008", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := newRig(t, rigOptions{random: draws(7)})
			var stranger payments.Order
			if tc.cpm {
				stranger = first.paidCPM(8800, "134567890123456700")
			} else {
				stranger = first.paidSale(tc.p, tc.code, 8800)
			}
			// The same draws: this terminal's first number is the stranger's.
			r := first.terminal(draws(7))
			auth := ""
			if tc.cpm {
				auth = "134567890123456702" // ends in 02: the sandbox refuses the code
			}
			mark := len(r.sb.Requests())
			s := r.charge(tc.p, tc.code, 100, auth)
			if s.Order.OutTradeNo != stranger.OutTradeNo {
				t.Fatalf("set-up: numbers differ (%s, %s)", s.Order.OutTradeNo, stranger.OutTradeNo)
			}
			fresh := r.waitRenumbered(s.Order.OutTradeNo)
			if !tc.cpm {
				r.waitUpdate(fresh, UpdateQR)
				s.Cancel()
			}
			final := r.wait(s)
			ctx := context.Background()
			old, _ := r.j.Order(ctx, s.Order.OutTradeNo)
			if old.State != payments.Failed || old.ProviderRef != "" || !strings.Contains(old.Reason, "another sale") {
				t.Errorf("%s: the collided order = %s ref %q (%s); want failed, no reference", tc.how, old.State, old.ProviderRef, old.Reason)
			}
			if final.OutTradeNo != fresh || final.State.MoneyMoved() {
				t.Errorf("%s: the sale ended as %s %s (%s); want the fresh number, not paid", tc.how, final.OutTradeNo, final.State, final.Reason)
			}
			if tc.cpm && final.State != payments.Failed {
				t.Errorf("the bad code ended %s, want failed", final.State)
			}
			if final.ProviderRef == stranger.ProviderRef {
				t.Errorf("the 1.00 sale carries the 88.00 sale's reference %s", stranger.ProviderRef)
			}
			if v, _ := r.sb.Order(stranger.OutTradeNo); !v.Paid {
				t.Errorf("the stranger's sale changed at the provider: %+v", v)
			}
			if n := r.requestsSince(mark, "query", stranger.OutTradeNo); n != 0 {
				t.Errorf("the stranger's number was queried %d times", n)
			}
			if n := r.requestsFor("pay", fresh); n != 1 {
				t.Errorf("the fresh number was sent %d times, want once", n)
			}
		})
	}
}

// waitRenumbered returns the fresh number a sale took after old.
func (r *rig) waitRenumbered(old string) string {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case u := <-r.updates:
			if u.Kind == UpdateRenumbered && u.Previous == old {
				return u.Order.OutTradeNo
			}
		case <-deadline:
			r.t.Fatalf("sale %s was not renumbered", old)
		}
	}
}

// TestCollisionOnQueryIsNeverPaid: the payment request's outcome is unknown
// (HTTP 502), so the engine queries its number, and the provider's record
// under that number is another sale (88.00 paid). That record is not ours:
// the 1.00 sale must end unpaid, never with the stranger's reference.
func TestCollisionOnQueryIsNeverPaid(t *testing.T) {
	for _, tc := range []struct {
		p    payments.Provider
		code string
		ours string // the method of our sale: another wallet than the stranger's
	}{{payments.Eftpay, "WECHATHK", "WECHATHK"}, {payments.QFPay, "800201", "800201"}, {payments.Eftpay, "WECHATHK", "ALIPAYHK"}} {
		t.Run(string(tc.p)+"/"+tc.ours, func(t *testing.T) {
			first := newRig(t, rigOptions{random: draws(11)})
			stranger := first.paidSale(tc.p, tc.code, 8800)
			r := first.terminal(draws(11))
			if err := r.sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: string(tc.p), Op: "pay", Count: 1}); err != nil {
				t.Fatal(err)
			}
			final := r.wait(r.charge(tc.p, tc.ours, 100, ""))
			if final.OutTradeNo != stranger.OutTradeNo {
				t.Fatalf("set-up: numbers differ")
			}
			// Another wallet's record may come back as a refusal of the
			// query (eftPay 02/04): the provider's reason then ends it.
			if final.State != payments.Failed || final.ProviderRef != "" || final.Reason == "" {
				t.Fatalf("the 1.00 sale = %s ref %q (%s); want failed as a collision", final.State, final.ProviderRef, final.Reason)
			}
		})
	}
}

// TestForgedLookalikeNotificationIgnored: a verified notification whose
// amount is not the order's never pays it.
func TestNotificationForAnotherAmountIgnored(t *testing.T) {
	r := newRig(t, rigOptions{})
	s := r.charge(payments.QFPay, "800101", 100, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	n := payments.Notification{Provider: payments.QFPay, OutTradeNo: s.Order.OutTradeNo, State: payments.Paid,
		Amount: hkd(8800), ProviderRef: "STRANGER"}
	var ce *payments.CollisionError
	if err := r.e.HandleNotification(context.Background(), n); !errors.As(err, &ce) {
		t.Fatalf("HandleNotification = %v, want a collision", err)
	}
	o, _ := r.j.Order(context.Background(), s.Order.OutTradeNo)
	if o.State.MoneyMoved() {
		t.Fatalf("order %s after a notification of another amount", o.State)
	}
	s.Cancel()
	if o := r.wait(s); o.State.MoneyMoved() {
		t.Fatalf("order ended %s", o.State)
	}
}

// TestRefundUnknownIsNeverSentTwice: the refund's answer is later than the
// client's timeout and the provider makes the refund only after that. A
// query right after the timeout finds nothing: the refund must stay open
// (never "failed"), no second refund of the order may be sent meanwhile,
// and once the provider has made it, the journal says done. The provider
// refunded exactly once.
func TestRefundUnknownIsNeverSentTwice(t *testing.T) {
	old := RefundTimeout
	RefundTimeout = 500 * time.Millisecond
	t.Cleanup(func() { RefundTimeout = old })
	for _, tc := range []struct {
		p    payments.Provider
		code string
	}{{payments.Eftpay, "ALIPAYHK"}, {payments.QFPay, "800201"}} {
		t.Run(string(tc.p), func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, rigOptions{callTime: 300 * time.Millisecond})
			o := r.paidSale(tc.p, tc.code, 10000)
			if err := r.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 1500 * time.Millisecond, Op: "refund", Count: 1}); err != nil {
				t.Fatal(err)
			}
			ref, err := r.e.Refund(ctx, o.OutTradeNo, hkd(3000))
			if err != nil {
				t.Fatal(err)
			}
			if ref.State.Settled() {
				t.Fatalf("refund = %s (%s) while the provider has not made it yet; want open", ref.State, ref.Reason)
			}
			var re *storage.RefundError
			if _, err := r.e.Refund(ctx, o.OutTradeNo, hkd(3000)); !errors.As(err, &re) {
				t.Fatalf("a second refund while the first is open: %v; want refused", err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				cur, err := r.j.Refund(ctx, ref.RefundNo)
				if err != nil {
					t.Fatal(err)
				}
				if cur.State == payments.RefundDone {
					break
				}
				if cur.State == payments.RefundFailed || time.Now().After(deadline) {
					t.Fatalf("refund = %s (%s); want done once the provider made it", cur.State, cur.Reason)
				}
				time.Sleep(50 * time.Millisecond)
			}
			got, _ := r.j.Order(ctx, o.OutTradeNo)
			v, _ := r.sb.Order(o.OutTradeNo)
			if got.Refunded.Minor != 3000 || v.Refunded != "30.00" {
				t.Fatalf("journal refunded %v, provider %s; want 30.00 both", got.Refunded, v.Refunded)
			}
			if n := r.requestsFor("refund", ref.RefundNo); n != 1 {
				t.Fatalf("refund sent %d times", n)
			}
			jobs, _ := r.j.PrintsOf(ctx, o.OutTradeNo)
			refundJobs := 0
			for _, j := range jobs {
				if j.Kind == storage.PrintRefund && j.RefundNo == ref.RefundNo {
					refundJobs++
				}
			}
			if refundJobs != 1 {
				t.Fatalf("refund receipt jobs = %d, want 1", refundJobs)
			}
		})
	}
}

// TestClassify: an error that wraps the unknown outcome is unknown even
// when it also carries a provider's refusal code (QFPay 1100/1252 wrapped by
// the gateway), and busy or system codes are unknown however they come.
func TestClassify(t *testing.T) {
	pe := func(k payments.ErrorKind) *payments.ProviderError {
		return &payments.ProviderError{Provider: payments.QFPay, Op: "refund", Code: "1252", Kind: k}
	}
	for _, tc := range []struct {
		err  error
		want outcome
	}{
		{nil, answered},
		{fmt.Errorf("qfpay refund X: %w: %w", payments.ErrOutcomeUnknown, pe(payments.KindSystem)), unknownOut},
		{fmt.Errorf("eftpay refund X: %w: %w", payments.ErrOutcomeUnknown, pe(payments.KindRefundBalance)), unknownOut},
		{pe(payments.KindBusy), unknownOut},
		{pe(payments.KindSystem), unknownOut},
		{pe(payments.KindRateLimited), unknownOut},
		{pe(payments.KindPending), pendingOut},
		{pe(payments.KindNotFound), notFound},
		{pe(payments.KindDuplicate), duplicate},
		{pe(payments.KindRefundBalance), refused},
		{errors.New("local check"), localErr},
	} {
		if got, _ := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestPaidSaleKeepsItsReceipt: a paid sale's receipt job is written with
// the paid state; a journal whose paid sale has no receipt job (a crash
// between two writes of an older version) gets one at recovery.
func TestPaidSaleKeepsItsReceipt(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	o := r.paidSale(payments.QFPay, "800101", 1234)
	if jobs, _ := r.j.PrintsOf(ctx, o.OutTradeNo); len(jobs) != 1 || jobs[0].Kind != storage.PrintSale {
		t.Fatalf("print jobs of a paid sale = %+v", jobs)
	}
	// An older binary's crash: paid, then killed before its receipt job.
	s := r.charge(payments.Eftpay, "ALIPAYHK", 500, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	s.Cancel()
	r.wait(s)
	lost, err := r.j.CreateOrder(ctx, storage.NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
		Mode: payments.MPM, Amount: hkd(777), Detail: "older version"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.j.Transition(ctx, lost.OutTradeNo, payments.Paid, storage.Change{Detail: "paid, receipt lost"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	jobs, _ := r.j.PrintsOf(ctx, lost.OutTradeNo)
	if len(jobs) != 1 || jobs[0].Kind != storage.PrintSale {
		t.Fatalf("after recovery the paid sale's jobs = %+v, want its receipt", jobs)
	}
	if jobs, _ := r.j.PrintsOf(ctx, o.OutTradeNo); len(jobs) != 1 {
		t.Fatalf("recovery queued a second receipt for a sale that had one: %d", len(jobs))
	}
}

// TestRecoveryLeavesLiveSaleAlone: while a QR is on the customer display,
// recovery (the cashier's "check again") must not close that order.
func TestRecoveryLeavesLiveSaleAlone(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{timeout: 10 * time.Second})
	s := r.charge(payments.QFPay, "800101", 4200, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	recs, err := r.e.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.OutTradeNo == s.Order.OutTradeNo {
			t.Fatalf("recovery touched the live sale: %+v", rec)
		}
	}
	if n := r.requestsFor("reversal", s.Order.OutTradeNo) + r.requestsFor("close", s.Order.OutTradeNo); n != 0 {
		t.Fatalf("the live sale was cancelled %d times at the provider", n)
	}
	if err := r.sb.Pay(s.Order.OutTradeNo, "success"); err != nil {
		t.Fatal(err)
	}
	if o := r.wait(s); o.State != payments.Paid {
		t.Fatalf("the customer's payment ended %s (%s)", o.State, o.Reason)
	}
}

// TestFailedBecomesPaidOnProviderWord: the provider's verified word that
// this very order was paid wins over a local "failed".
func TestFailedBecomesPaidOnProviderWord(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	o := r.wait(r.charge(payments.QFPay, "800008", 990, "134567890123456744")) // 1143, then 1205 failed
	if o.State != payments.Failed {
		t.Fatalf("set-up: %s", o.State)
	}
	n := payments.Notification{Provider: payments.QFPay, OutTradeNo: o.OutTradeNo, State: payments.Paid, Amount: hkd(990), ProviderRef: "LATE1"}
	if err := r.e.HandleNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	got, _ := r.j.Order(ctx, o.OutTradeNo)
	if got.State != payments.Paid || !strings.Contains(got.Reason, "paid after") {
		t.Fatalf("after the provider's paid word: %s (%s)", got.State, got.Reason)
	}
	if jobs, _ := r.j.PrintsOf(ctx, o.OutTradeNo); len(jobs) != 1 {
		t.Fatalf("late-paid sale has %d receipt jobs", len(jobs))
	}
}

// TestUnknownCPMNotFoundEndsAfterGiveUp: a customer-code payment whose
// request never reached the provider (HTTP 502 before processing) stays
// unknown while the provider says "not found", and is taken as never
// arrived only after NotFoundGiveUp; the engine keeps checking meanwhile.
func TestUnknownCPMNotFoundEndsAfterGiveUp(t *testing.T) {
	r := newRig(t, rigOptions{callTime: 300 * time.Millisecond, cpm: 600 * time.Millisecond, giveUp: 1500 * time.Millisecond})
	if err := r.sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "qfpay", Op: "pay", Count: 1}); err != nil {
		t.Fatal(err)
	}
	s := r.charge(payments.QFPay, "800208", 1500, "134567890123456700")
	o := r.wait(s)
	if o.State != payments.Unknown || o.CreatedAt.IsZero() {
		t.Fatalf("right after: %s (%s), want unknown", o.State, o.Reason)
	}
	waitSettled(t, r, 10*time.Second)
	got, _ := r.j.Order(context.Background(), o.OutTradeNo)
	if got.State != payments.Closed || !strings.Contains(got.Reason, "never arrived") {
		t.Fatalf("after the give-up time: %s (%s), want closed as never arrived", got.State, got.Reason)
	}
	if since := got.UpdatedAt.Sub(got.CreatedAt); since < 1500*time.Millisecond {
		t.Fatalf("ended %s after creation, before the give-up time", since)
	}
	if n := r.requestsFor("pay", o.OutTradeNo); n != 1 {
		t.Fatalf("payment sent %d times", n)
	}
}

// TestNeedsAttentionIsShown: an order with no final word for
// payments.AttentionAfter is announced to the manager and listed in the day
// report, while the engine keeps checking it.
func TestNeedsAttentionIsShown(t *testing.T) {
	old := payments.AttentionAfter
	payments.AttentionAfter = 300 * time.Millisecond
	t.Cleanup(func() { payments.AttentionAfter = old })
	r := newRig(t, rigOptions{callTime: 300 * time.Millisecond, cpm: 400 * time.Millisecond, giveUp: time.Hour})
	if err := r.sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "qfpay", Op: "pay", Count: 1}); err != nil {
		t.Fatal(err)
	}
	s := r.charge(payments.QFPay, "800008", 2500, "134567890123456700")
	u := r.waitUpdate(s.Order.OutTradeNo, UpdateAttention)
	if u.Order.State != payments.Unknown {
		t.Fatalf("attention for a %s order", u.Order.State)
	}
	rep, err := r.e.DayReport(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Attention) != 1 || !strings.Contains(rep.Attention[0], s.Order.OutTradeNo) {
		t.Fatalf("report attention = %q", rep.Attention)
	}
	text := strings.Join(rep.Text(), "\n")
	if !strings.Contains(text, "NEEDS ATTENTION") {
		t.Fatalf("report text does not show it:\n%s", text)
	}
	// Still being checked: queries keep going after the announcement.
	before := r.requestsFor("query", s.Order.OutTradeNo)
	deadline := time.Now().Add(10 * time.Second)
	for r.requestsFor("query", s.Order.OutTradeNo) == before {
		if time.Now().After(deadline) {
			t.Fatal("no query after the order needed attention")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPaidInCNY: a mainland wallet paying a Hong Kong merchant: the
// provider's record says what the customer paid in CNY and at what rate;
// the journal keeps it and the receipt prints it.
func TestPaidInCNY(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	o := r.paidSale(payments.QFPay, "800101", 880)
	got, _ := r.j.Order(ctx, o.OutTradeNo)
	if got.CashAmount != (payments.Money{Minor: 804, Currency: "CNY"}) || got.ExchangeRate != sandbox.QFPayCNYRate {
		t.Fatalf("journal: cash %v rate %q; want CNY 8.04 at %s", got.CashAmount, got.ExchangeRate, sandbox.QFPayCNYRate)
	}
	jobs, _ := r.j.PrintsOf(ctx, o.OutTradeNo)
	if len(jobs) != 1 || !strings.Contains(string(jobs[0].Payload), "CNY 8.04 (rate 0.9136)") {
		t.Fatalf("receipt does not say what the customer paid: %s", jobs[0].Payload)
	}
	// A Hong Kong wallet pays in HKD: nothing more to say.
	hk := r.paidSale(payments.QFPay, "801501", 880)
	if got, _ := r.j.Order(ctx, hk.OutTradeNo); PaidInOwnCurrency(got) != "" {
		t.Fatalf("AlipayHK sale shows %q", PaidInOwnCurrency(got))
	}
}
