package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// stateName is an order state in words.
func (t *Terminal) stateName(s payments.State) string {
	if s == "" {
		return "—"
	}
	return t.tr.T("state." + string(s))
}

// providerName is a provider as people spell it.
func providerName(p payments.Provider) string { return p.Title() }

// walletName is a method's wallet in the screen's language.
func (t *Terminal) walletName(m payments.Method) string {
	key := "wallet." + string(m.Wallet)
	if t.tr.Has(key) {
		return t.tr.T(key)
	}
	return m.Name
}

// orderMethodName is the wallet of an order, or its code when unknown.
func (t *Terminal) orderMethodName(o payments.Order) string {
	m, err := o.Method()
	if err != nil {
		return o.MethodCode
	}
	return t.walletName(m)
}

// modeName says who shows the code.
func (t *Terminal) modeName(m payments.Mode) string {
	return t.tr.T("mode." + string(m))
}

// clock formats a time of day in the terminal's local time.
func clock(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return at.Local().Format("15:04:05")
}

// stamp formats a date and time.
func stamp(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return at.Local().Format("2006-01-02 15:04:05")
}

// showError shows err in a dialog over the cashier window.
func (t *Terminal) showError(err error) {
	t.showMessage(t.tr.T("dialog.error"), err.Error())
}

// showMessage shows a message with one OK button in the UI's language.
func (t *Terminal) showMessage(title, msg string) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, t.tr.T("button.ok"), container.NewGridWrap(fyne.NewSize(460, l.MinSize().Height*3), l), t.win)
	d.Show()
}

// confirm asks a yes/no question in the UI's language.
func (t *Terminal) confirm(title, msg string, yes func()) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, t.tr.T("button.yes"), t.tr.T("button.no"),
		container.NewGridWrap(fyne.NewSize(460, l.MinSize().Height*3), l), func(ok bool) {
			if ok {
				yes()
			}
		}, t.win)
	d.Show()
}
