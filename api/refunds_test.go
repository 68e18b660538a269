package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// paidCharge rings up and pays a sale through the API.
func paidCharge(t *testing.T, r *rig, key, amount string) Charge {
	t.Helper()
	c := mustCharge(t, r.c, key, ChargeRequest{Amount: amount, Currency: "HKD", Method: "eftpay:ALIPAYHK"})
	if err := r.sb.Pay(c.ID, "success"); err != nil {
		t.Fatal(err)
	}
	c, err := r.c.Charge(ctxT(t), c.ID, 10*time.Second)
	if err != nil || c.State != "paid" {
		t.Fatalf("not paid: %+v %v", c, err)
	}
	return c
}

func auditActions(t *testing.T, r *rig) []string {
	t.Helper()
	entries, err := r.j.AuditLog(context.Background(), "T001", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+":"+e.Action)
	}
	return out
}

// TestRefundNeedsThePIN: without a PIN or the permission, refused; a wrong
// PIN is refused and counted in the audit log the screen's lockout reads;
// the right one refunds.
func TestRefundNeedsThePIN(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	c := paidCharge(t, r, "r-1", "50.00")

	_, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "10.00"})
	apiErr(t, err, 403, CodeRefundNotAllowed)
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "10.00", PIN: "9999"})
	e := apiErr(t, err, 403, CodePINWrong)
	if e.TriesLeft == nil || *e.TriesLeft != 4 {
		t.Fatalf("tries left: %+v", e)
	}
	if got := auditActions(t, r); len(got) != 1 || got[0] != "till:pin_failed" {
		t.Fatalf("audit after a wrong PIN: %v", got)
	}
	if rs, _ := r.j.Refunds(ctx, c.ID); len(rs) != 0 {
		t.Fatalf("refunds after refusals: %+v", rs)
	}
	rf, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "10.00", PIN: "1234"})
	if err != nil || rf.State != "done" || rf.Amount != "10.00" || rf.OutTradeNo != c.ID || rf.RefundNo == "" {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if got := auditActions(t, r); len(got) != 3 || got[0] != "till:refund" || got[1] != "till:pin_ok" {
		t.Fatalf("audit after the refund: %v", got)
	}
	c2, err := r.c.Charge(ctx, c.ID, 0)
	if err != nil || c2.State != "partly_refunded" || c2.Refunded != "10.00" || len(c2.Refunds) != 1 {
		t.Fatalf("after the refund: %+v %v", c2, err)
	}
	// More than is left: the journal refuses it, nothing is sent.
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "40.01", PIN: "1234"})
	apiErr(t, err, 422, CodeRefundRefused)
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "4.005", PIN: "1234"})
	apiErr(t, err, 422, CodeAmountInvalid)
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: "T001NOSUCH", PIN: "1234"})
	apiErr(t, err, 404, CodeNotFound)
	// The rest, by default.
	rf, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, PIN: "1234"})
	if err != nil || rf.State != "done" || rf.Amount != "40.00" {
		t.Fatalf("the rest: %+v %v", rf, err)
	}
	if o, _ := r.j.Order(ctx, c.ID); o.State != payments.Refunded {
		t.Fatalf("order %s", o.State)
	}
}

// TestRefundPINLockout: five wrong PINs lock refunds (the right PIN too)
// for the screen's delay; the lock is the audit log's, shared with the
// screen.
func TestRefundPINLockout(t *testing.T) {
	if testing.Short() {
		t.Skip("five PBKDF2 checks")
	}
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	c := paidCharge(t, r, "l-1", "20.00")
	for i := 0; i < 4; i++ {
		_, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, PIN: "0000"})
		apiErr(t, err, 403, CodePINWrong)
	}
	_, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, PIN: "0000"})
	if e := apiErr(t, err, 403, CodePINLocked); e.RetryAfter < 50 || e.RetryAfter > 61 {
		t.Fatalf("locked for %d s", e.RetryAfter)
	}
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, PIN: "1234"})
	apiErr(t, err, 403, CodePINLocked)
	if rs, _ := r.j.Refunds(ctx, c.ID); len(rs) != 0 {
		t.Fatalf("refunded while locked: %+v", rs)
	}
	// The screen's lock reads the same entries: five pin_failed in a row.
	n := 0
	for _, a := range auditActions(t, r) {
		if a == "till:pin_failed" {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d wrong PINs in the audit log", n)
	}
	// IT lifts the lock from this computer: audited; the right PIN works
	// again; a second unlock has nothing to clear.
	if u, err := r.c.UnlockPIN(ctx); err != nil || !u.Cleared {
		t.Fatalf("unlock: %+v %v", u, err)
	}
	if rf, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, PIN: "1234"}); err != nil || rf.State != "done" {
		t.Fatalf("refund after the unlock: %+v %v", rf, err)
	}
	if u, err := r.c.UnlockPIN(ctx); err != nil || u.Cleared {
		t.Fatalf("second unlock: %+v %v", u, err)
	}
	if a := auditActions(t, r); !slices.Contains(a, "api:socket:"+checkout.AuditPINCleared) {
		t.Fatalf("unlock not audited: %v", a)
	}
}

// TestRefundWithThePermission: api_refunds = true lets the till refund
// without the PIN; a terminal without a PIN refuses PIN refunds.
func TestRefundWithThePermission(t *testing.T) {
	r := newRig(t, rigOptions{apiRefunds: true})
	ctx := ctxT(t)
	c := paidCharge(t, r, "p-1", "15.00")
	st, _ := r.c.Status(ctx)
	if st.Refunds.PINRequired {
		t.Fatal("status says a PIN is needed")
	}
	rf, err := r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "5.00"})
	if err != nil || rf.State != "done" {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	r.setProfile(func(p *checkout.Profile) { p.APIRefunds, p.ManagerPIN = false, "" })
	r.restart()
	_, err = r.c.Refund(ctx, RefundRequest{OutTradeNo: c.ID, Amount: "5.00", PIN: "1234"})
	apiErr(t, err, 403, CodePINNotSet)
	if !strings.Contains(r.logs.String(), "till refund") {
		t.Fatal("the refund was not logged")
	}
}

// refundRequests counts the refund requests the sandbox received.
func (r *rig) refundRequests() int {
	n := 0
	for _, c := range r.sb.Requests() {
		if c.Op == sandbox.OpRefund {
			n++
		}
	}
	return n
}

// TestRefundIdempotencyKey: the same Idempotency-Key twice answers with
// the same refund and sends one refund to the provider, also after a
// restart and without the PIN; the key with another request is refused; a
// refused refund (wrong PIN) leaves the key free.
func TestRefundIdempotencyKey(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	c := paidCharge(t, r, "ik-1", "50.00")

	_, _, err := r.c.RefundOnce(ctx, "till-r-1", RefundRequest{OutTradeNo: c.ID, Amount: "10.00", PIN: "9999"})
	apiErr(t, err, 403, CodePINWrong)
	if _, err := r.j.IdempotentRefund(ctx, "till-r-1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused refund left its key: %v", err)
	}
	first, replayed, err := r.c.RefundOnce(ctx, "till-r-1", RefundRequest{OutTradeNo: c.ID, Amount: "10.00", PIN: "1234"})
	if err != nil || replayed || first.State != "done" || first.Amount != "10.00" {
		t.Fatalf("first: %+v %v %v", first, replayed, err)
	}
	again, replayed, err := r.c.RefundOnce(ctx, "till-r-1", RefundRequest{OutTradeNo: c.ID, Amount: "10.0"})
	if err != nil || !replayed || again.RefundNo != first.RefundNo || again.State != "done" {
		t.Fatalf("again: %+v %v %v", again, replayed, err)
	}
	_, _, err = r.c.RefundOnce(ctx, "till-r-1", RefundRequest{OutTradeNo: c.ID, Amount: "11.00", PIN: "1234"})
	apiErr(t, err, 422, CodeKeyReused)
	_, _, err = r.c.RefundOnce(ctx, "bad key", RefundRequest{OutTradeNo: c.ID, PIN: "1234"})
	apiErr(t, err, 400, CodeKeyInvalid)

	r.restart()
	ctx = ctxT(t)
	after, replayed, err := r.c.RefundOnce(ctx, "till-r-1", RefundRequest{OutTradeNo: c.ID, Amount: "10.00", PIN: "1234"})
	if err != nil || !replayed || after.RefundNo != first.RefundNo {
		t.Fatalf("after a restart: %+v %v %v", after, replayed, err)
	}
	// "All that is left" under a key: replayed, it is still the 40.00
	// refund, not a refund of what is left now (nothing).
	rest, _, err := r.c.RefundOnce(ctx, "till-r-2", RefundRequest{OutTradeNo: c.ID, PIN: "1234"})
	if err != nil || rest.Amount != "40.00" || rest.State != "done" {
		t.Fatalf("the rest: %+v %v", rest, err)
	}
	if again, replayed, err := r.c.RefundOnce(ctx, "till-r-2", RefundRequest{OutTradeNo: c.ID}); err != nil || !replayed || again.RefundNo != rest.RefundNo {
		t.Fatalf("the rest again: %+v %v %v", again, replayed, err)
	}
	if n := r.refundRequests(); n != 2 {
		t.Fatalf("%d refund requests reached the provider, want 2", n)
	}
	if rs, _ := r.j.Refunds(ctx, c.ID); len(rs) != 2 {
		t.Fatalf("journal refunds: %+v", rs)
	}
}

// TestRefundKeyReservedBeforeACrash: a key the terminal reserved and then
// stopped before journalling the refund is refunded when it comes again
// (once); nothing was sent before.
func TestRefundKeyReservedBeforeACrash(t *testing.T) {
	r := newRig(t, rigOptions{apiRefunds: true})
	ctx := ctxT(t)
	c := paidCharge(t, r, "ik-2", "30.00")
	req := RefundRequest{OutTradeNo: c.ID, Amount: "5.00"}
	amount := payments.Money{Minor: 500, Currency: "HKD"}
	if _, _, err := r.j.ReserveRefundKey(ctx, storage.APIRefund{Key: "crash-1", TokenID: clientSocket,
		RequestHash: RefundHash(req, amount), OutTradeNo: c.ID, Amount: amount}); err != nil {
		t.Fatal(err)
	}
	r.restart()
	ctx = ctxT(t)
	rf, replayed, err := r.c.RefundOnce(ctx, "crash-1", req)
	if err != nil || replayed || rf.State != "done" || rf.Amount != "5.00" {
		t.Fatalf("refund after the crash: %+v %v %v", rf, replayed, err)
	}
	if again, replayed, err := r.c.RefundOnce(ctx, "crash-1", req); err != nil || !replayed || again.RefundNo != rf.RefundNo {
		t.Fatalf("again: %+v %v %v", again, replayed, err)
	}
	if n := r.refundRequests(); n != 1 {
		t.Fatalf("%d refund requests, want 1", n)
	}
}
