package checkout

import (
	"context"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

// TestQFPayCancelEveryPayType drives every QFPay pay type through the
// engine against the strict sandbox: the cashier cancels MPM orders, an MPM
// QR runs out, a pending CPM payment times out. Pay types QFPay can cancel
// end closed or expired through the endpoint QFPay's guide assigns; the
// others are never cancelled: the engine follows them until they run out,
// and a customer who pays after the cashier gave up is recorded. No
// request ever reaches an endpoint the guide does not assign.
func TestQFPayCancelEveryPayType(t *testing.T) {
	r := newRig(t, rigOptions{timeout: 800 * time.Millisecond, cpm: 500 * time.Millisecond})
	cpmCode := map[string]string{ // a code of the pay type's wallet that stays pending until cancelled (…46)
		"800008": "134567890123450146", "800208": "134567890123450246", "801008": "154567890123450346",
		"800108": "281234567890123446", "805808": "134567890123450546", "800708": "6212345678901234546",
	}
	for _, m := range payments.MethodsOf(payments.QFPay) {
		t.Run(m.Code, func(t *testing.T) {
			if m.Mode == payments.CPM {
				o := r.wait(r.charge(payments.QFPay, m.Code, 1500, cpmCode[m.Code]))
				checkEnded(t, r, m, o, payments.Closed)
				return
			}
			// The cashier cancels while the QR is up.
			s := r.charge(payments.QFPay, m.Code, 1200, "")
			r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
			s.Cancel()
			o := r.wait(s)
			if m.CanClose {
				checkEnded(t, r, m, o, payments.Closed)
			} else {
				// It stays payable: the cashier is told until when, and a
				// customer who pays now is recorded.
				if o.State != payments.Pending || !strings.Contains(o.Reason, "stays payable until") {
					t.Fatalf("cancelled %s: %s (%s); want still payable", m.Code, o.State, o.Reason)
				}
				if err := r.sb.Pay(o.OutTradeNo, "success"); err != nil {
					t.Fatal(err)
				}
				waitState(t, r, o.OutTradeNo, payments.Paid)
			}
			// The QR runs out unpaid.
			s = r.charge(payments.QFPay, m.Code, 1300, "")
			checkEnded(t, r, m, r.wait(s), payments.Expired)
		})
	}
	// QFPay's Reversal API guide, written out independently of the
	// catalogue: a pay type not listed cannot be cancelled.
	guide := map[string]string{
		"800101": "/trade/v1/reversal", "801501": "/trade/v1/reversal", "800201": "/trade/v1/reversal", "800108": "/trade/v1/reversal",
		"800008": "/trade/v1/close", "800208": "/trade/v1/close", "801008": "/trade/v1/close",
	}
	for path, byType := range r.sb.QFPayCancels() {
		for code, n := range byType {
			if guide[code] != path {
				t.Errorf("%d cancel requests of pay type %s reached %s, which QFPay's guide does not assign to it", n, code, path)
			}
		}
	}
}

// checkEnded checks an order that ended unpaid: in state want when the
// pay type can be cancelled, with the provider's record cancelled; with no
// cancel sent when it cannot.
func checkEnded(t *testing.T, r *rig, m payments.Method, o payments.Order, want payments.State) {
	t.Helper()
	if !m.CanClose && o.State == payments.Pending {
		o = waitSettledOrder(t, r, o.OutTradeNo)
	}
	if o.State.MoneyMoved() || !o.State.Settled() {
		t.Fatalf("%s ended %s (%s)", m.Code, o.State, o.Reason)
	}
	cancels := r.requestsFor("close", o.OutTradeNo) + r.requestsFor("reversal", o.OutTradeNo)
	switch {
	case m.CanClose && (o.State != want || cancels == 0):
		t.Fatalf("%s ended %s after %d cancels, want %s by its cancel", m.Code, o.State, cancels, want)
	case !m.CanClose && cancels != 0:
		t.Fatalf("%s cannot be cancelled, yet %d cancels were sent", m.Code, cancels)
	}
}

func waitState(t *testing.T, r *rig, no string, want payments.State) payments.Order {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := r.j.Order(context.Background(), no)
		if err != nil {
			t.Fatal(err)
		}
		if o.State == want {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s (%s), want %s", no, o.State, o.Reason, want)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func waitSettledOrder(t *testing.T, r *rig, no string) payments.Order {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := r.j.Order(context.Background(), no)
		if err != nil {
			t.Fatal(err)
		}
		if o.State.Settled() || time.Now().After(deadline) {
			return o
		}
		time.Sleep(30 * time.Millisecond)
	}
}
