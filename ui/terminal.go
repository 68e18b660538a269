// Package ui draws the terminal with Fyne: the cashier window and, later,
// the customer display. It renders state that the core (payments/checkout)
// owns and sends the cashier's intents back; it never calls a provider, a
// serial port or SQL itself, and never blocks the UI goroutine.
package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Status is what the foundation's cashier window shows about the terminal.
type Status struct {
	TID         string
	StoreName   string
	Demo        bool
	JournalPath string
	OpenOrders  int
}

// Terminal is the cashier window.
type Terminal struct {
	app    fyne.App
	window fyne.Window
	status *widget.Label
}

// NewTerminal builds the cashier window for status; Show it or run the app.
func NewTerminal(a fyne.App, st Status) *Terminal {
	title := fmt.Sprintf("QR POS — %s", st.TID)
	if st.Demo {
		title += " (demo)"
	}
	w := a.NewWindow(title)
	t := &Terminal{app: a, window: w, status: widget.NewLabel("")}
	store := widget.NewLabelWithStyle(st.StoreName, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	t.SetStatus(st)
	w.SetContent(container.NewVBox(store, t.status))
	w.Resize(fyne.NewSize(800, 600))
	return t
}

// Window is the cashier window.
func (t *Terminal) Window() fyne.Window { return t.window }

// SetStatus updates what the window shows; call it on the UI goroutine.
func (t *Terminal) SetStatus(st Status) {
	t.status.SetText(fmt.Sprintf("Terminal %s · journal %s · %d open orders", st.TID, st.JournalPath, st.OpenOrders))
}

// StatusText is the status line as shown (tests).
func (t *Terminal) StatusText() string { return t.status.Text }
