package ui

// The sale screen from the keyboard: digits and the point type the amount
// wherever the focus is (but in a text field); Backspace and Delete edit
// it; Enter starts the default way to pay (the scan of the customer's
// code); F1... pick a way to pay; Escape steps back (clears the amount,
// leaves the scan prompt, cancels a waiting sale, starts the next sale).
// A keyboard-wedge scanner types too: a burst of keys closer together than
// a person types, ending in Enter, is a scanned code, never an amount.

import (
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Keyboard-wedge scans: at least wedgeMinLen characters, each at most
// wedgeGap after the previous one (people type slower than 20 keys a
// second), ending in Enter.
const (
	wedgeGap    = 50 * time.Millisecond
	wedgeMinLen = 10
)

// burst follows the keys typed in quick succession on the sale screen.
type burst struct {
	runes  []rune
	last   time.Time
	before string // the amount before the burst began
}

// typedRune takes typing on the sale screen (from the canvas, or from a
// button that has the focus).
func (c *cashierScreen) typedRune(r rune) {
	t := c.t
	if !c.onSaleTab() {
		return
	}
	now := t.now()
	if len(c.burst.runes) == 0 || now.Sub(c.burst.last) > wedgeGap {
		c.burst = burst{before: t.amount}
	}
	c.burst.runes = append(c.burst.runes, r)
	c.burst.last = now
	if t.phase == phaseEntry && unicode.IsPrint(r) && !unicode.IsSpace(r) {
		c.key(string(r))
	}
}

// typedKey takes the sale screen's keys when no field has the focus.
func (c *cashierScreen) typedKey(ev *fyne.KeyEvent) {
	t := c.t
	if !c.onSaleTab() {
		return
	}
	if f, ok := c.hotkeys[ev.Name]; ok {
		if t.phase == phaseEntry {
			f()
		}
		return
	}
	switch ev.Name {
	case fyne.KeyBackspace:
		c.key("⌫")
	case fyne.KeyDelete:
		c.key("C")
	case fyne.KeyReturn, fyne.KeyEnter:
		c.enter()
	case fyne.KeyEscape:
		c.escape()
	}
}

// buttonKey takes a key typed while a way to pay has the focus: Enter
// ending a scanner's burst is a scan (true), otherwise the button's (false);
// Space is the button's; any other key is the sale screen's.
func (c *cashierScreen) buttonKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.scanning() {
			c.enter()
			return true
		}
		c.burst = burst{}
		return false
	case fyne.KeySpace:
		return false
	}
	c.typedKey(ev)
	return true
}

// scanning: the keys typed last are a scanner's burst so far.
func (c *cashierScreen) scanning() bool {
	return len(c.burst.runes) >= wedgeMinLen && c.t.now().Sub(c.burst.last) <= wedgeGap
}

// onSaleTab: the sale tab is up and no dialog is open.
func (c *cashierScreen) onSaleTab() bool {
	sel := c.t.tabs.Selected()
	return sel != nil && sel.Content == c.root && c.t.pin == nil
}

// enter ends a scanner's burst as a scan, or starts the default way to pay.
func (c *cashierScreen) enter() {
	t := c.t
	b, scan := c.burst, c.scanning()
	c.burst = burst{}
	if scan {
		if t.phase == phaseEntry {
			t.amount = b.before // the scan's characters were never an amount
		}
		t.onScan(string(b.runes))
		c.refresh()
		return
	}
	switch t.phase {
	case phaseEntry:
		if c.t.ask == nil && t.amount == "" {
			return
		}
		if c.scanBtn != nil {
			t.scanAny()
		}
	case phaseResult:
		t.newSale(false)
	}
}

// escape steps back from where the sale is.
func (c *cashierScreen) escape() {
	t := c.t
	switch t.phase {
	case phaseEntry:
		c.key("C")
	case phaseScan, phaseWaiting:
		t.cancelSale()
	case phaseResult:
		t.newSale(false)
	}
}

// scanField is the field a keyboard-wedge scanner types the customer's
// code into; Escape in it steps back to the amount.
type scanField struct {
	widget.Entry
	escape func()
}

func newScanField(escape func()) *scanField {
	f := &scanField{escape: escape}
	f.ExtendBaseWidget(f)
	return f
}

// TypedKey takes Escape; the rest is the entry's.
func (f *scanField) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && f.escape != nil {
		f.escape()
		return
	}
	f.Entry.TypedKey(ev)
}
