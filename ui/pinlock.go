package ui

// The manager PIN's lockout on the screen: the time left, the tries left,
// a live countdown, and clearing it with the terminal's API token.

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// lockView shows the manager PIN's lockout: on the settings tab's locked
// face (the time left, or the tries left before the lock), in the locked
// dialog with a live countdown, and the way to clear it at the screen
// where the terminal has an API token (see terminal.ClearPINLockWithToken).
// It reads the lock from the core every few seconds, so a lock the till
// caused shows too.
type lockView struct {
	t        *Terminal
	lock     checkout.PINLock
	status   *widget.Label     // on the settings tab's locked face
	clearBtn *widget.Button    // "Clear the lock…" under it
	face     fyne.CanvasObject // the locked face, laid out again as they show or hide
	dlg      *dialog.CustomDialog
	dlgText  *widget.Label  // the locked dialog's countdown, while it is open
	dlgClear *widget.Button // its "Clear the lock…"
	clearing *clearPrompt   // the API token prompt, while it is open
	stopped  bool
}

// clearPrompt asks for the API token to clear the lock.
type clearPrompt struct {
	dlg   *dialog.CustomDialog
	token *widget.Entry
	msg   *widget.Label
	ok    *widget.Button
}

// pinLockReread: the view reads the lock from the core every this many
// seconds (in between it only counts down).
const pinLockReread = 5

func newLockView(t *Terminal) *lockView {
	v := &lockView{t: t, status: widget.NewLabel("")}
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()
	v.clearBtn = widget.NewButtonWithIcon(t.tr.T("pin.clear"), theme.ContentUndoIcon(), v.askClear)
	v.clearBtn.Hide()
	return v
}

// set shows lock l.
func (v *lockView) set(l checkout.PINLock) {
	v.lock = l
	v.refresh()
}

// text is what the lock says at now: the time left while it holds, else
// the tries left after a wrong PIN, else nothing.
func (v *lockView) text(now time.Time) string {
	tr := v.t.tr
	switch left := v.lock.Left(now); {
	case left > 0:
		return tr.T("pin.locked_left", "Left", clockText(left))
	case v.lock.Failures > 0:
		return tr.N("pin.tries_left", v.lock.TriesLeft())
	}
	return ""
}

// refresh shows the lock as it stands now.
func (v *lockView) refresh() {
	t := v.t
	now := t.now()
	locked := v.lock.Left(now) > 0
	text := v.text(now)
	canClear := locked && t.core.CanClearPINLockAtScreen()
	if locked && !canClear {
		text += " " + t.tr.T("pin.clear_elsewhere")
	}
	v.status.Importance = widget.WarningImportance
	if locked {
		v.status.Importance = widget.DangerImportance
	}
	v.status.SetText(text)
	showIf(v.status, text != "")
	showIf(v.clearBtn, canClear)
	if v.face != nil {
		v.face.Refresh()
	}
	if v.dlgText != nil {
		if !locked {
			text = t.tr.T("pin.lock_over")
		}
		v.dlgText.SetText(text)
		showIf(v.dlgClear, canClear)
	}
}

func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// clockText is d as a countdown, "3:59" or "1:02:03"; a part of a second
// counts as a whole one, so it never shows 0:00 while the lock holds.
func clockText(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// watch counts the lock down once a second, and reads it from the core
// every pinLockReread seconds, until the terminal stops or the settings
// screen is rebuilt (a new view takes over).
func (v *lockView) watch() {
	t, core := v.t, v.t.core
	stop := make(chan struct{})
	go func() {
		tk := time.NewTicker(time.Second)
		defer tk.Stop()
		for n := 0; ; n++ {
			var read *checkout.PINLock
			if n%pinLockReread == 0 {
				if l, err := core.PINLock(t.ctx); err == nil {
					read = &l
				}
			}
			t.do(func() {
				if v.stopped {
					return
				}
				if t.settings == nil || t.settings.pinLock != v {
					v.stopped = true
					close(stop)
					return
				}
				if read != nil {
					v.lock = *read
				}
				v.refresh()
			})
			select {
			case <-t.ctx.Done():
				return
			case <-stop:
				return
			case <-tk.C:
			}
		}
	}()
}

// showDialog tells the cashier the PIN is locked, counting down.
func (v *lockView) showDialog() {
	if v.dlg != nil {
		return
	}
	t := v.t
	tr := t.tr
	v.dlgText = widget.NewLabel("")
	v.dlgText.Wrapping = fyne.TextWrapWord
	v.dlgClear = widget.NewButtonWithIcon(tr.T("pin.clear"), theme.ContentUndoIcon(), v.askClear)
	v.dlg = dialog.NewCustom(tr.T("pin.locked_title"), tr.T("button.ok"), container.NewVBox(v.dlgText, container.NewHBox(v.dlgClear)), t.win)
	v.dlg.SetOnClosed(func() { v.dlg, v.dlgText, v.dlgClear = nil, nil, nil })
	v.refresh()
	v.dlg.Resize(fyne.NewSize(480, 220))
	v.dlg.Show()
}

// askClear asks for the terminal's API token and clears the lock with it.
func (v *lockView) askClear() {
	if v.clearing != nil {
		return
	}
	t := v.t
	tr := t.tr
	c := &clearPrompt{token: widget.NewPasswordEntry(), msg: widget.NewLabel("")}
	c.token.SetPlaceHolder(tr.T("pin.clear_token"))
	c.msg.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(tr.T("pin.clear_intro"))
	intro.Wrapping = fyne.TextWrapWord
	c.ok = widget.NewButton(tr.T("pin.clear_button"), func() { v.clearWith(c) })
	c.ok.Importance = widget.HighImportance
	c.token.OnSubmitted = func(string) { v.clearWith(c) }
	cancel := widget.NewButton(tr.T("button.cancel"), func() { c.dlg.Hide() })
	c.dlg = dialog.NewCustomWithoutButtons(tr.T("pin.clear_title"), container.NewVBox(intro, c.token, c.msg), t.win)
	c.dlg.SetButtons([]fyne.CanvasObject{cancel, c.ok})
	c.dlg.SetOnClosed(func() { v.clearing = nil })
	c.dlg.Resize(fyne.NewSize(520, 300))
	v.clearing = c
	c.dlg.Show()
	t.win.Canvas().Focus(c.token)
}

// clearWith clears the lock with the token typed into c, off the UI
// goroutine.
func (v *lockView) clearWith(c *clearPrompt) {
	if c.ok.Disabled() {
		return
	}
	t := v.t
	tr := t.tr
	c.ok.Disable()
	c.msg.SetText(tr.T("pin.checking"))
	core, token := t.core, c.token.Text
	go func() {
		err := core.ClearPINLockWithToken(t.ctx, token)
		l, lerr := core.PINLock(t.ctx)
		t.do(func() {
			c.ok.Enable()
			if lerr == nil {
				v.set(l)
			}
			switch {
			case errors.Is(err, terminal.ErrWrongAPIToken):
				c.token.SetText("")
				c.msg.SetText(tr.T("pin.clear_wrong"))
			case errors.Is(err, checkout.ErrPINClearLimit):
				c.msg.SetText(tr.N("pin.clear_limit", checkout.MaxPINClears))
			case err != nil:
				c.msg.SetText(err.Error())
			default:
				c.dlg.Hide()
				if v.dlg != nil {
					v.dlg.Hide()
				}
				t.showMessage(tr.T("pin.title"), tr.T("pin.cleared"))
			}
		})
	}()
}
