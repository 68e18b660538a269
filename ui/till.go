package ui

// The till's charges on the counter: a charge the shop's till rang up with
// no method ("HK$88.50 from the register: choose how the customer pays")
// or for any wallet's code (straight to the scanner prompt). The core keeps
// them (terminal.Asks); the counter shows the oldest when it is free, and
// the cashier's choice, or decline, goes back to the core.

import (
	"qrpos/payments"
	"qrpos/terminal"
)

// watchAsks follows the till's charges coming and going.
func (t *Terminal) watchAsks() {
	ch, stop := t.core.WatchAsks(16)
	go func() {
		defer stop()
		for {
			select {
			case ev := <-ch:
				t.do(func() { t.onAsk(ev) })
			case <-t.ctx.Done():
				return
			}
		}
	}()
	t.do(t.nextAsk)
}

// onAsk takes one ask event (UI goroutine).
func (t *Terminal) onAsk(ev terminal.AskEvent) {
	if !ev.Gone {
		t.nextAsk()
		return
	}
	if t.ask == nil || t.ask.ID != ev.Ask.ID || ev.Why == "chosen" {
		return
	}
	// The till cancelled it, or nobody chose in time.
	t.ask = nil
	if t.phase == phaseEntry || t.phase == phaseScan {
		t.phase = phaseEntry
		t.amount = ""
		t.saleErr = t.tr.T("till.gone."+ev.Why, "Amount", ev.Ask.Amount.String())
		t.refreshCashier()
		t.cust.refresh()
	}
	t.nextAsk()
}

// nextAsk shows the oldest waiting ask when the counter is free (UI
// goroutine).
func (t *Terminal) nextAsk() {
	if t.ask != nil || !t.ready || t.phase == phaseScan || t.phase == phaseStarting || t.phase == phaseWaiting || t.pin != nil {
		return
	}
	waiting := t.core.Asks()
	if len(waiting) == 0 {
		return
	}
	a := waiting[0]
	t.stopIdleTimer()
	t.ask = &a
	t.amount, t.money = a.Amount.Decimal(), a.Amount
	t.sale, t.order = nil, payments.Order{}
	t.saleErr, t.working = "", ""
	t.receipt, t.copyDone = false, false
	t.phase = phaseEntry
	if a.AnyWallet {
		if m, ok := t.anyWalletMethod(); ok {
			t.method, t.phase = m, phaseScan
		}
	}
	if sel := t.tabs.Selected(); sel == nil || sel.Content != t.settings.root {
		t.showTab(t.cashier.root) // never away from a manager's unsaved settings
	}
	t.refreshCashier()
	t.cust.refresh()
}

// anyWalletMethod is the customer-code method the scan starts with: the
// route that takes any wallet, else the first customer-code route (the
// scanned code then picks its wallet's route, checkout.Profile.RouteCode).
func (t *Terminal) anyWalletMethod() (payments.Method, bool) {
	var first payments.Method
	for _, m := range t.prof.Routes() {
		if m.Mode != payments.CPM {
			continue
		}
		if m.Wallet == payments.AnyWallet {
			return m, true
		}
		if first.Code == "" {
			first = m
		}
	}
	return first, first.Code != ""
}

// declineAsk sends the till's charge back unpaid, as the cashier chose.
func (t *Terminal) declineAsk() {
	if t.ask == nil || t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	id := t.ask.ID
	t.ask = nil
	t.newSale(false)
	core, ctx := t.core, t.ctx
	go func() {
		core.DeclineAsk(ctx, id, "cashier")
		t.do(t.nextAsk)
	}()
}

// answerAsk starts the till's charge by method m as the cashier chose
// (phaseStarting). A refused choice leaves the ask on the screen with the
// reason.
func (t *Terminal) answerAsk(m payments.Method, auth string) {
	id, core, ctx := t.ask.ID, t.core, t.ctx
	go func() {
		w, err := core.AnswerAsk(ctx, id, m, auth)
		if err != nil {
			t.do(func() { t.saleRefused(err) })
			return
		}
		t.do(func() {
			if t.ask != nil && t.ask.ID == id {
				t.ask = nil
			}
		})
		t.followSale(w)
	}()
}
