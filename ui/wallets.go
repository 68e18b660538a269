package ui

// The ways to pay on the sale screen: one button per wallet, whichever
// provider serves it here (the profile's routes, checkout.Profile.Routes):
// first and largest "Scan the customer's code" (any wallet: the code says
// which), then the wallets whose QR code the customer scans. Each has a
// function key (F1 scan, F2... the wallets) and Enter starts the scan.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// hotkeys are the function keys of the ways to pay, in order: F1 the scan,
// then one per wallet.
var hotkeys = []fyne.KeyName{fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4, fyne.KeyF5, fyne.KeyF6,
	fyne.KeyF7, fyne.KeyF8, fyne.KeyF9, fyne.KeyF10, fyne.KeyF11, fyne.KeyF12}

// payButton is a button the keyboard can use as well as a finger: Enter or
// Space presses it when it has the focus, and digits typed while it has the
// focus still go to the amount.
type payButton struct {
	widget.Button
	label *canvas.Text // the way to pay's name, drawn over the button
	typed func(rune)
	key   func(*fyne.KeyEvent) bool // true: the sale screen took the key
}

func newPayButton(label string, imp widget.Importance, tap func(), c *cashierScreen) *payButton {
	b := &payButton{typed: c.typedRune, key: c.buttonKey}
	b.Text, b.Importance, b.OnTapped = label, imp, tap
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter as on Space; other keys go to the
// sale screen.
func (b *payButton) TypedKey(ev *fyne.KeyEvent) {
	if b.key != nil && b.key(ev) {
		return
	}
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		b.Tapped(nil)
		return
	}
	b.Button.TypedKey(ev)
}

// TypedRune hands typing on to the amount.
func (b *payButton) TypedRune(r rune) {
	if b.typed != nil {
		b.typed(r)
	}
}

// dressed lays a way to pay out: its name large and bold across the
// button (the button itself has no text), its function key in the top
// right corner, at least minHeight tall.
func dressed(b *payButton, name string, key fyne.KeyName, minHeight float32) fyne.CanvasObject {
	label := canvas.NewText(name, colorWhite)
	label.TextSize = 20
	label.TextStyle = fyne.TextStyle{Bold: true}
	label.Alignment = fyne.TextAlignCenter
	b.label = label
	k := canvas.NewText(string(key), colorWhite)
	k.TextSize = 12
	floor := canvas.NewRectangle(color.Transparent)
	floor.SetMinSize(fyne.NewSize(0, minHeight))
	return container.NewStack(floor, b, container.NewCenter(label),
		container.NewBorder(container.NewHBox(layout.NewSpacer(), container.NewPadded(k)), nil, nil, nil))
}

// buildWallets makes the ways to pay for the profile's routes.
func (c *cashierScreen) buildWallets() fyne.CanvasObject {
	t, tr := c.t, c.t.tr
	c.hotkeys = map[fyne.KeyName]func(){}
	box := container.NewVBox()
	routes := t.prof.Routes()
	if _, ok := t.anyWalletMethod(); ok {
		c.scanBtn = newPayButton("", widget.WarningImportance, func() { t.scanAny() }, c)
		c.hotkeys[fyne.KeyF1] = t.scanAny
		box.Add(dressed(c.scanBtn, tr.T("cashier.scan_any"), fyne.KeyF1, 72))
		box.Add(widget.NewLabelWithStyle(tr.T("cashier.scan_hint"), fyne.TextAlignLeading, fyne.TextStyle{}))
	}
	grid := container.NewGridWithColumns(3)
	n := 1
	for _, m := range routes {
		if m.Mode != payments.MPM {
			continue
		}
		m := m
		b := newPayButton("", widget.HighImportance, func() { t.startSale(m, "") }, c)
		c.methodBtns[m.ID()] = b
		key := fyne.KeyName("")
		if n < len(hotkeys) {
			key = hotkeys[n]
			c.hotkeys[key] = func() { t.startSale(m, "") }
		}
		grid.Add(dressed(b, t.walletName(m), key, 56))
		n++
	}
	if len(grid.Objects) > 0 {
		box.Add(sectionTitle(tr.T("cashier.mpm_title")))
	}
	if len(box.Objects) == 0 {
		c.methodsNone = widget.NewLabel(tr.T("cashier.no_methods"))
		c.methodsNone.Wrapping = fyne.TextWrapWord
		return c.methodsNone
	}
	// The scan first in the objects, so that Tab reaches it first.
	return container.New(layout.NewBorderLayout(box, nil, nil, nil), box, grid)
}

// scanAny asks for the customer's code: the code says the wallet.
func (t *Terminal) scanAny() {
	if m, ok := t.anyWalletMethod(); ok {
		t.startSale(m, "")
	}
}
