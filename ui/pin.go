package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// DefaultDemoPIN is the manager PIN a new demo terminal starts with.
const DefaultDemoPIN = terminal.DefaultDemoPIN

// MaxPINTries wrong PINs in a row lock settings and refunds.
const MaxPINTries = checkout.MaxPINTries

// pinPrompt is the PIN dialog while it is open.
type pinPrompt struct {
	dlg    *dialog.CustomDialog
	entry  *widget.Entry
	msg    *widget.Label
	ok     *widget.Button
	cancel *widget.Button
	keys   map[string]*widget.Button // the pad's keys: "0" to "9", "⌫"
	busy   bool
}

// pinPadKeys are the PIN pad's keys in the sale keypad's order (7 8 9 on
// top, ⌫ bottom right); "" is the sale keypad's "." left blank.
var pinPadKeys = []string{"7", "8", "9", "4", "5", "6", "1", "2", "3", "", "0", "⌫"}

// withPIN asks for the manager PIN, then runs then (UI goroutine). purpose
// names the action in the audit log. Five wrong PINs in a row lock it for
// a growing delay (the locked dialog counts it down); a terminal without a
// PIN asks for a new one first.
func (t *Terminal) withPIN(purpose string, then func()) {
	if t.pin != nil {
		return
	}
	if t.prof.ManagerPIN == "" {
		t.changePIN(true, then)
		return
	}
	core := t.core
	go func() {
		l, err := core.PINLock(t.ctx)
		t.do(func() {
			if err != nil {
				t.showError(err)
				return
			}
			t.settings.pinLock.set(l)
			if l.Left(t.now()) > 0 {
				t.settings.pinLock.showDialog()
				return
			}
			t.openPINPrompt(purpose, l, then)
		})
	}()
}

func (t *Terminal) openPINPrompt(purpose string, l checkout.PINLock, then func()) {
	tr := t.tr
	p := &pinPrompt{entry: widget.NewPasswordEntry(), msg: widget.NewLabel(""), keys: map[string]*widget.Button{}}
	p.msg.Wrapping = fyne.TextWrapWord
	if l.Failures > 0 {
		p.msg.SetText(tr.N("pin.tries_left", l.TriesLeft()))
	}
	p.entry.SetPlaceHolder(tr.T("pin.placeholder"))
	submit := func() {
		if p.busy {
			return
		}
		pin := p.entry.Text
		p.busy = true
		p.ok.Disable()
		p.msg.SetText(tr.T("pin.checking"))
		core := t.core
		go func() {
			c, err := core.CheckPIN(t.ctx, pin, purpose)
			t.do(func() { t.pinChecked(p, c, err, then) })
		}()
	}
	p.entry.OnSubmitted = func(string) { submit() }
	p.ok = widget.NewButton(tr.T("button.ok"), submit)
	p.ok.Importance = widget.HighImportance
	p.cancel = widget.NewButton(tr.T("button.cancel"), func() { t.closePIN() })
	// The message keeps room for two lines, so that a longer one does not
	// run under the pad.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, 2*theme.TextSize()+3*theme.Padding()+4))
	content := container.NewVBox(widget.NewLabel(tr.T("pin.prompt")), p.entry, container.NewStack(room, p.msg),
		container.NewGridWrap(fyne.NewSize(300, 200), p.pad()))
	p.dlg = dialog.NewCustomWithoutButtons(tr.T("pin.title"), content, t.win)
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel, p.ok})
	t.pin = p
	p.dlg.Show()
	t.win.Canvas().Focus(p.entry)
}

// pad is the PIN's keypad, laid out as the sale keypad.
func (p *pinPrompt) pad() fyne.CanvasObject {
	pad := container.NewGridWithColumns(3)
	for _, k := range pinPadKeys {
		if k == "" {
			pad.Add(layout.NewSpacer())
			continue
		}
		b := widget.NewButton(k, func() {
			if k != "⌫" {
				p.entry.SetText(p.entry.Text + k)
			} else if n := len(p.entry.Text); n > 0 {
				p.entry.SetText(p.entry.Text[:n-1])
			}
		})
		p.keys[k] = b
		pad.Add(b)
	}
	return pad
}

// pinChecked shows how the try of prompt p went.
func (t *Terminal) pinChecked(p *pinPrompt, c checkout.PINCheck, err error, then func()) {
	p.busy = false
	p.ok.Enable()
	if err != nil {
		p.msg.SetText(err.Error())
		return
	}
	t.settings.pinLock.set(c.Lock)
	switch {
	case c.OK:
		t.closePIN()
		then()
	case c.Lock.Left(t.now()) > 0:
		t.closePIN()
		t.settings.pinLock.showDialog()
	default:
		p.entry.SetText("")
		p.msg.SetText(t.tr.N("pin.wrong", c.Lock.TriesLeft()))
	}
}

func (t *Terminal) closePIN() {
	if t.pin != nil {
		t.pin.dlg.Hide()
		t.pin = nil
	}
}

// changePIN asks for a new PIN twice and stores its hash in the profile.
// first: the terminal has no PIN yet (then runs after it is set).
func (t *Terminal) changePIN(first bool, then func()) {
	tr := t.tr
	a, b := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	intro := tr.T("pin.change_intro")
	if first {
		intro = tr.T("pin.first_intro")
	}
	introL := widget.NewLabel(intro)
	introL.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(tr.T("pin.new"), a), widget.NewFormItem(tr.T("pin.repeat"), b))
	var d *dialog.CustomDialog
	save := widget.NewButton(tr.T("button.save"), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		if err := checkout.ValidatePIN(a.Text); err != nil {
			msg.SetText(tr.T("pin.invalid"))
			return
		}
		if a.Text != b.Text {
			msg.SetText(tr.T("pin.mismatch"))
			return
		}
		save.Disable()
		msg.SetText(tr.T("pin.saving"))
		pin, core := a.Text, t.core
		go func() {
			p, err := core.SetPIN(t.ctx, pin)
			t.do(func() {
				save.Enable()
				if err != nil {
					msg.SetText(err.Error())
					return
				}
				t.prof.ManagerPIN = p.ManagerPIN
				d.Hide()
				if then != nil {
					then()
				} else {
					t.showMessage(tr.T("pin.title"), tr.T("pin.changed"))
				}
			})
		}()
	}
	cancel := widget.NewButton(tr.T("button.cancel"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(tr.T("pin.change_title"), container.NewVBox(introL, form, msg), t.win)
	d.SetButtons([]fyne.CanvasObject{cancel, save})
	d.Resize(fyne.NewSize(480, 300))
	d.Show()
}
