package ui

import (
	"context"
	"testing"

	"qrpos/payments"
)

// TestNewSaleAfterPaid: with the profile's new_sale_after, the next sale
// comes up by itself after a paid one, and the receipt line follows the
// print queue to "Receipt printed.".
func TestNewSaleAfterPaid(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	p := r.core.Profile()
	p.NewSaleAfter = 1
	if err := r.core.Apply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	r.until("the profile on the screen", func() bool { return r.term.prof.NewSaleAfter == 1 })
	term := r.term
	r.typeAmount("9.90")
	r.tap(r.method("qfpay:800101"))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult && term.order.State == payments.Paid })
	r.until("receipt printed", func() bool { return term.cashier.resReceipt.Text == "Receipt printed." })
	r.until("the next sale by itself", func() bool { return term.phase == phaseEntry && term.amount == "" })
}
