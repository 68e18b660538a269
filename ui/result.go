package ui

// After a sale: where its receipt is (printing, printed, or waiting for
// the printer, from the core's print queue), and the return to a new sale a
// few seconds after a paid one.

import "time"

// defaultNewSaleAfter is how long a paid sale's result stays up.
const defaultNewSaleAfter = 8 * time.Second

// checkReceipt asks the core where the sale's receipt is (UI goroutine).
func (t *Terminal) checkReceipt() {
	no := t.order.OutTradeNo
	if no == "" || !t.receipt {
		return
	}
	core, ctx := t.core, t.ctx
	go func() {
		st, err := core.SaleReceipt(ctx, no)
		if err != nil {
			return
		}
		t.do(func() {
			if t.order.OutTradeNo == no && t.receipt {
				t.receiptState = st
				if t.phase == phaseResult {
					t.cashier.refreshResult()
				}
			}
		})
	}()
}

// receiptWords says where the sale's receipt is.
func (t *Terminal) receiptWords() string {
	switch {
	case t.copyDone:
		return t.tr.T("result.copy_queued")
	case !t.receipt:
		return ""
	case t.receiptState.Printed:
		return t.tr.T("result.receipt_printed")
	case t.receiptState.Err != "":
		return t.tr.T("result.receipt_waiting", "Error", t.receiptState.Err)
	}
	return t.tr.T("result.receipt_queued")
}

// startReturnTimer brings the next sale up a few seconds after a paid one,
// unless the cashier moved on or opened something meanwhile.
func (t *Terminal) startReturnTimer() {
	t.stopReturnTimer()
	d := t.newSaleAfter()
	if d < 0 || !t.order.State.MoneyMoved() {
		return
	}
	no := t.order.OutTradeNo
	t.returnTimer = time.AfterFunc(d, func() {
		t.do(func() {
			if t.phase == phaseResult && t.order.OutTradeNo == no && t.pin == nil && !t.copyDone {
				t.newSale(false)
			}
		})
	})
}

func (t *Terminal) stopReturnTimer() {
	if t.returnTimer != nil {
		t.returnTimer.Stop()
		t.returnTimer = nil
	}
}

// printerChanged follows the print queue for the sale on the screen.
func (t *Terminal) printerChanged() {
	if t.phase == phaseResult {
		t.checkReceipt()
	}
}

// newSaleAfter is how long a paid result stays: the profile's
// new_sale_after, else the Config's, else defaultNewSaleAfter (negative:
// never).
func (t *Terminal) newSaleAfter() time.Duration {
	switch n := t.prof.NewSaleAfter; {
	case n < 0:
		return -1
	case n > 0:
		return time.Duration(n) * time.Second
	}
	if t.cfg.NewSaleAfter != 0 {
		return t.cfg.NewSaleAfter
	}
	return defaultNewSaleAfter
}
