package ui

// The sale on the screen: the cashier's intents (charge, cancel, try
// again, a copy of the receipt) go to the core; the core's snapshots of the
// sale (terminal.SaleWatch) come back and are shown. What stays here is
// presentation: which screen is up, the amount being typed.

import (
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// phase is where the sale screen is.
type phase int

const (
	phaseEntry    phase = iota // typing the amount, choosing a method
	phaseScan                  // CPM: waiting for the customer's code
	phaseStarting              // the order is being journalled
	phaseWaiting               // the provider has it; waiting for the outcome
	phaseResult                // paid, failed, or what is being done about it
)

// counterSale is the sale on the cashier's screen, as the screens show it
// (UI goroutine only): the core owns the sale itself.
type counterSale struct {
	phase        phase
	ask          *terminal.TillAsk // the till's charge on the screen, before the cashier's choice
	amount       string
	method       payments.Method
	money        payments.Money
	sale         *terminal.SaleWatch
	order        payments.Order
	working      string
	saleErr      string
	receipt      bool                   // the engine queued the sale's receipt
	receiptState terminal.ReceiptStatus // where it is in the print queue
	copyDone     bool                   // "Print receipt" was used
	returnTimer  *time.Timer            // back to a new sale after a paid one
	saleStop     chan struct{}
	idleTimer    *time.Timer
}

// showView takes a snapshot of the sale on the screen (UI goroutine).
func (t *Terminal) showView(v terminal.SaleView) {
	if v.Order.OutTradeNo != "" {
		t.order = v.Order
	}
	if v.Working != "" {
		t.working = v.Working
	}
	if v.Receipt && !t.receipt {
		t.receipt = true
		t.checkReceipt()
	}
}

// startSale charges the typed amount (or the till's, for its charge on
// the screen) by method m (auth: the customer's code for CPM). Errors come
// back to the amount screen.
func (t *Terminal) startSale(m payments.Method, auth string) {
	if !t.ready || t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	money, err := t.saleAmount(m)
	if err != nil {
		t.phase = phaseEntry
		t.saleErr = t.amountWords(err)
		t.refreshCashier()
		return
	}
	if m.Mode == payments.CPM && strings.TrimSpace(auth) == "" {
		t.method, t.money = m, money
		t.phase = phaseScan
		t.saleErr = ""
		t.refreshCashier()
		t.cust.refresh()
		return
	}
	if r, ok := t.prof.RouteCode(auth); ok && m.Mode == payments.CPM {
		m = r // the code says its wallet; the profile, who serves it
	}
	t.stopIdleTimer()
	t.method, t.money = m, money
	t.phase = phaseStarting
	t.saleErr, t.working = "", ""
	t.order = payments.Order{}
	t.receipt, t.copyDone = false, false
	if t.ask != nil {
		t.working = t.tr.T("working.from_till", "Amount", t.ask.Amount.String(), "Reference", t.ask.Reference)
		t.refreshCashier()
		t.cust.refresh()
		t.answerAsk(m, strings.TrimSpace(auth))
		return
	}
	t.refreshCashier()
	t.cust.refresh()
	core, ctx := t.core, t.ctx
	req := checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: money, AuthCode: strings.TrimSpace(auth)}
	go func() {
		s, err := core.Charge(ctx, req)
		if err != nil {
			t.do(func() { t.saleRefused(err) })
			return
		}
		t.followSale(s)
	}()
}

// saleAmount is what a sale by m charges: the till's amount for its
// charge, else the typed one, in m's range.
func (t *Terminal) saleAmount(m payments.Method) (payments.Money, error) {
	if t.ask != nil {
		if err := payments.OutOfRange(t.ask.Amount.Decimal(), t.ask.Amount, m.Range()); err != nil {
			return payments.Money{}, err
		}
		return t.ask.Amount, nil
	}
	return payments.ParseMoney(t.amount, t.currency(), m.Range())
}

// saleRefused brings a sale the core refused before it began back to the
// amount screen with the reason (UI goroutine).
func (t *Terminal) saleRefused(err error) {
	if t.phase != phaseStarting || t.sale != nil {
		return
	}
	t.phase = phaseEntry
	t.saleErr = t.amountWords(err)
	if t.ask == nil && t.money == (payments.Money{}) {
		t.amount = ""
	}
	t.refreshCashier()
	t.cust.refresh()
	t.nextAsk()
}

// followSale shows sale w until it ends (any goroutine but the UI's): its
// first snapshot, then every later one, in order.
func (t *Terminal) followSale(w *terminal.SaleWatch) {
	first := w.First()
	stop := make(chan struct{})
	t.do(func() {
		t.sale = w
		t.saleStop = stop
		t.showView(first)
		t.phase = phaseWaiting
		t.refreshCashier()
		t.cust.refresh()
	})
	go t.countdown(w, stop)
	var last terminal.SaleView
	for v := range w.Views() {
		if v.Ended {
			last = v
			break
		}
		t.do(func() {
			if t.sale == w {
				t.showView(v)
				t.refreshCashier()
				t.cust.refresh()
			}
		})
	}
	close(stop)
	if !last.Ended {
		return // the UI stopped
	}
	t.do(func() {
		if t.sale == w {
			t.finishSale(last)
		}
	})
}

// adoptTillSale shows a sale the shop's till rang up through the local API,
// when the counter is free: the customer display shows its QR, the cashier
// can cancel it. A sale arriving while the cashier is busy runs on; its
// result reaches the till either way (UI goroutine).
func (t *Terminal) adoptTillSale(no string) {
	if t.phase == phaseStarting || t.phase == phaseWaiting || t.phase == phaseScan {
		return
	}
	s := t.core.Sale(no)
	if s == nil {
		return
	}
	m, err := s.Order.Method()
	if err != nil {
		return
	}
	t.stopIdleTimer()
	t.method, t.money, t.amount = m, s.Order.Amount, s.Order.Amount.Decimal()
	t.phase = phaseStarting
	t.saleErr, t.working = "", t.tr.T("working.from_till", "Amount", s.Order.Amount.String(), "Reference", s.Reference)
	t.order = payments.Order{}
	t.receipt, t.copyDone = false, false
	core, ctx := t.core, t.ctx
	go func() { t.followSale(core.WatchSale(ctx, s)) }()
}

// countdown refreshes the time left once a second while the sale runs.
func (t *Terminal) countdown(w *terminal.SaleWatch, stop <-chan struct{}) {
	tk := time.NewTicker(time.Second)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.ctx.Done():
			return
		case <-tk.C:
			t.do(func() {
				if t.sale == w && t.phase == phaseWaiting {
					t.cashier.refreshCountdown()
					t.cust.refreshCountdown()
				}
			})
		}
	}
}

// finishSale shows how the sale ended.
func (t *Terminal) finishSale(v terminal.SaleView) {
	t.showView(v)
	if v.Err != "" {
		t.working = v.Err
	}
	t.phase = phaseResult
	t.refreshCashier()
	t.cust.refresh()
	t.refreshHistory()
	t.startIdleTimer()
	t.startReturnTimer()
	t.checkReceipt()
	t.nextAsk()
}

// cancelSale asks the engine to end the sale in progress.
func (t *Terminal) cancelSale() {
	switch t.phase {
	case phaseScan:
		t.phase = phaseEntry
		t.refreshCashier()
		t.cust.refresh()
	case phaseWaiting:
		if t.sale != nil {
			t.working = t.tr.T("working.cancelling")
			t.sale.Cancel()
			t.refreshCashier()
		}
	}
}

// newSale clears the screen for the next customer. keepAmount keeps the
// typed amount ("Try again").
func (t *Terminal) newSale(keepAmount bool) {
	if t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	t.phase = phaseEntry
	if !keepAmount {
		t.amount = ""
	}
	t.sale, t.order = nil, payments.Order{}
	t.saleErr, t.working = "", ""
	t.receipt, t.copyDone, t.receiptState = false, false, terminal.ReceiptStatus{}
	t.stopIdleTimer()
	t.stopReturnTimer()
	t.refreshCashier()
	t.cust.refresh()
	t.nextAsk()
}

func (t *Terminal) startIdleTimer() {
	t.stopIdleTimer()
	no := t.order.OutTradeNo
	t.idleTimer = time.AfterFunc(t.cfg.CustomerIdleAfter, func() {
		t.do(func() {
			if t.phase == phaseResult && t.order.OutTradeNo == no {
				t.cust.idle = true
				t.cust.refresh()
			}
		})
	})
}

func (t *Terminal) stopIdleTimer() {
	if t.idleTimer != nil {
		t.idleTimer.Stop()
		t.idleTimer = nil
	}
	t.cust.idle = false
}

// printCopy queues a copy of the current sale's receipt (once a sale).
func (t *Terminal) printCopy() {
	if t.copyDone || !t.order.State.MoneyMoved() {
		return
	}
	t.copyDone = true
	t.refreshCashier()
	o := t.order
	go func() {
		if err := t.core.Reprint(t.ctx, o, "cashier"); err != nil {
			t.do(func() { t.showError(err) })
		}
	}()
}

// checkAgain runs recovery for orders left open (a sale that ended unknown).
func (t *Terminal) checkAgain() {
	if t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	no := t.order.OutTradeNo
	t.working = t.tr.T("working.checking")
	t.refreshCashier()
	core, ctx := t.core, t.ctx
	go func() {
		recs, err := core.Recover(ctx)
		o, oerr := core.Order(ctx, no)
		t.do(func() {
			t.recovered = append(t.recovered, recs...)
			if err != nil {
				t.recErr = err.Error()
			}
			if oerr == nil && t.order.OutTradeNo == no && !o.UpdatedAt.Before(t.order.UpdatedAt) {
				t.order = o
				t.working = ""
			}
			t.refreshBanner()
			t.refreshCashier()
			t.cust.refresh()
		})
	}()
}

// currency is the terminal's currency.
func (t *Terminal) currency() payments.Currency {
	c := payments.Currency(t.prof.Currency)
	if !c.Valid() {
		return payments.DefaultCurrency
	}
	return c
}
