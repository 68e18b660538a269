package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"qrpos/payments"
)

// keyClock is the UI's clock in keyboard tests: typing speed is the
// test's choice, not the machine's.
type keyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *keyClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *keyClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// press types keys on the cashier window: runes, and named keys.
func press(r *rig, keys ...any) {
	c := r.term.win.Canvas()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			for _, ch := range k {
				if f := c.Focused(); f != nil {
					f.TypedRune(ch)
				} else {
					c.OnTypedRune()(ch)
				}
			}
		case fyne.KeyName:
			ev := &fyne.KeyEvent{Name: k}
			if f := c.Focused(); f != nil {
				f.TypedKey(ev)
			} else {
				c.OnTypedKey()(ev)
			}
		}
	}
}

// TestKeyboardOnlySale: a cashier with a keyboard and no mouse: types the
// amount, Enter asks for the customer's code, Escape steps back keeping the
// amount, F2 shows Alipay's QR, Escape cancels the sale, Enter starts the
// next one, and digits typed right away go to the new amount.
func TestKeyboardOnlySale(t *testing.T) {
	clk := &keyClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r := newRig(t, rigOptions{language: English, now: clk.now})
	term := r.term
	for _, k := range "88.50" {
		press(r, string(k))
		clk.add(150 * time.Millisecond) // a person types
	}
	press(r, fyne.KeyReturn)
	if term.phase != phaseScan || term.win.Canvas().Focused() != term.cashier.scanEntry {
		t.Fatalf("Enter: phase %v, focus %v", term.phase, term.win.Canvas().Focused())
	}
	press(r, fyne.KeyEscape)
	if term.phase != phaseEntry || term.amount != "88.50" {
		t.Fatalf("Escape from the scan: phase %v amount %q", term.phase, term.amount)
	}
	press(r, fyne.KeyF2) // the first wallet: Alipay, from QFPay here
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	if term.order.Provider != payments.QFPay || term.order.MethodCode != "800101" || term.order.Amount.Decimal() != "88.50" {
		t.Fatalf("F2 charged %+v", term.order)
	}
	press(r, fyne.KeyEscape)
	r.until("cancelled", func() bool { return term.phase == phaseResult })
	if term.order.State != payments.Closed || term.cashier.resDetail.Text != "The sale was closed before the customer paid. The customer was not charged.\nOrder "+term.order.OutTradeNo {
		t.Fatalf("after Escape: %s %q", term.order.State, term.cashier.resDetail.Text)
	}
	press(r, fyne.KeyReturn)
	clk.add(time.Second)
	press(r, "1")
	clk.add(200 * time.Millisecond)
	press(r, "2")
	if term.phase != phaseEntry || term.amount != "12" {
		t.Fatalf("next sale: phase %v amount %q", term.phase, term.amount)
	}
}

// TestWedgeScanOnTheAmountScreen: a keyboard-wedge scanner's burst on the
// amount screen is a scan, never an amount: with an amount typed it starts
// the customer-code sale for that amount; without one it asks for the
// amount and leaves it empty.
func TestWedgeScanOnTheAmountScreen(t *testing.T) {
	clk := &keyClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r := newRig(t, rigOptions{language: English, now: clk.now})
	term := r.term
	wedge := func(code string) {
		for _, ch := range code {
			press(r, string(ch))
			clk.add(8 * time.Millisecond)
		}
		press(r, fyne.KeyReturn)
	}
	wedge("134567890123456712")
	if term.phase != phaseEntry || term.amount != "" || term.cashier.amountErr.Text != "Type the amount first, then scan the customer's code." {
		t.Fatalf("scan with no amount: phase %v amount %q %q", term.phase, term.amount, term.cashier.amountErr.Text)
	}
	for _, k := range "25" {
		press(r, string(k))
		clk.add(300 * time.Millisecond)
	}
	wedge("134567890123456712")
	r.until("paid", func() bool { return term.phase == phaseResult })
	if o := term.order; o.State != payments.Paid || o.Amount.Decimal() != "25.00" || o.MethodCode != "800208" {
		t.Fatalf("order %+v", o)
	}
	// A person typing ten digits and Enter is typing an amount, not scanning.
	press(r, fyne.KeyReturn)
	for _, ch := range "1234567.50" {
		press(r, string(ch))
		clk.add(120 * time.Millisecond)
	}
	press(r, fyne.KeyReturn)
	if term.amount != "1234567.50" {
		t.Fatalf("typed slowly, taken as a scan: phase %v amount %q", term.phase, term.amount)
	}
}

// TestPayButtonsAndFocus: the keypad takes no focus (Tab goes to the ways
// to pay); a focused way to pay shows it (the focus colour differs from its
// own), takes Enter, and lets digits through to the amount.
func TestPayButtonsAndFocus(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	c := term.win.Canvas()
	c.FocusNext()
	if c.Focused() != term.cashier.scanBtn {
		t.Fatalf("Tab went to %T %v, not the scan", c.Focused(), c.Focused())
	}
	press(r, "7")
	if term.amount != "7" {
		t.Fatalf("typing with a button focused: %q", term.amount)
	}
	c.FocusNext()
	alipay := r.method("qfpay:800101")
	if c.Focused() != alipay {
		t.Fatalf("second Tab: %v", c.Focused())
	}
	focus := posTheme{}.Color(theme.ColorNameFocus, theme.VariantLight)
	if _, _, _, a := focus.RGBA(); a < 0x8000 {
		t.Fatalf("the focus colour is too faint to see on a blue button: alpha %x", a)
	}
	if r1, g1, b1, _ := focus.RGBA(); b1 > r1 || b1 > g1 {
		t.Fatalf("the focus colour %v is bluish: lost on a blue button", focus)
	}
	press(r, fyne.KeyReturn)
	r.until("QR code", func() bool { return term.phase == phaseWaiting })
	if term.order.MethodCode != "800101" || !strings.HasPrefix(term.order.Amount.Decimal(), "7.") {
		t.Fatalf("Enter on Alipay charged %+v", term.order)
	}
}
