package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments/checkout"
)

// TestPINPlurals: the PIN's counted texts have both forms in the three
// languages, English says 1 try / 2 tries, and Chinese counts alike.
func TestPINPlurals(t *testing.T) {
	keys := []string{"pin.tries_left", "pin.wrong", "pin.clear_limit"}
	for _, l := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		tr := translatorFor(t, l)
		for _, k := range keys {
			if !tr.Has(k+".one") || !tr.Has(k+".other") {
				t.Errorf("%s: %s lacks a plural form", l, k)
			}
		}
	}
	en := translatorFor(t, English)
	for n, want := range map[int]string{
		1: "Wrong PIN. 1 try left before settings and refunds lock.",
		2: "Wrong PIN. 2 tries left before settings and refunds lock.",
	} {
		if got := en.N("pin.wrong", n); got != want {
			t.Errorf("pin.wrong %d: %q, want %q", n, got, want)
		}
	}
	if got := translatorFor(t, TraditionalChinese).N("pin.tries_left", 1); got != "尚餘 1 次機會，之後設定及退款將會鎖定。" {
		t.Errorf("zh-Hant tries left: %q", got)
	}
	for d, want := range map[time.Duration]string{
		4 * time.Minute: "4:00", 3*time.Minute + 58*time.Second + time.Millisecond: "3:59", time.Millisecond: "0:01",
		4 * time.Hour: "4:00:00", time.Hour + 2*time.Minute + 3*time.Second: "1:02:03",
	} {
		if got := clockText(d); got != want {
			t.Errorf("clockText(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestPINPadLikeSaleKeypad: the PIN pad's digits and ⌫ sit where the sale
// keypad has them (7 8 9 on top, 0 and ⌫ at the bottom, the sale's "."
// left blank), and type into the PIN.
func TestPINPadLikeSaleKeypad(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	r.term.showTab(r.term.settings.root)
	r.tap(r.term.settings.unlockBtn)
	r.until("PIN prompt", func() bool { return r.term.pin != nil })
	p := r.term.pin
	isPad := func(k string) bool { return k == "." || k == "⌫" || len(k) == 1 && k[0] >= '0' && k[0] <= '9' }
	sale := keyOrder(r.term.cashier.root, r.term.cashier.keys, isPad)
	top := r.term.win.Canvas().Overlays().Top()
	pin := keyOrder(top, p.keys, isPad)
	want := slices.DeleteFunc(slices.Clone(sale), func(k string) bool { return k == "." })
	if len(sale) != 12 || !slices.Equal(pin, want) {
		t.Fatalf("PIN pad %v, sale keypad %v", pin, sale)
	}
	grid := parentOf(top, p.keys["0"])
	if grid == nil || len(grid.Objects) != 12 || grid.Objects[slices.Index(sale, "0")] != p.keys["0"] ||
		grid.Objects[slices.Index(sale, "⌫")] != p.keys["⌫"] || grid.Objects[0] != p.keys["7"] {
		t.Fatal("7, 0 and ⌫ are not where the sale keypad has them")
	}
	for _, k := range []string{"7", "8", "⌫", "1", "0"} {
		r.tap(p.keys[k])
	}
	if p.entry.Text != "710" {
		t.Fatalf("typed %q", p.entry.Text)
	}
}

// keyOrder lists the names of keys (a keypad's keys by name) found inside
// root, in reading order, those pad accepts.
func keyOrder[K fyne.CanvasObject](root fyne.CanvasObject, keys map[string]K, pad func(string) bool) []string {
	names := map[fyne.CanvasObject]string{}
	for k, o := range keys {
		names[o] = k
	}
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if k, ok := names[o]; ok && pad(k) {
			out = append(out, k)
		}
		for _, c := range children(o) {
			walk(c)
		}
	}
	walk(root)
	return out
}

// parentOf is the container inside root that holds o.
func parentOf(root, o fyne.CanvasObject) *fyne.Container {
	if c, ok := root.(*fyne.Container); ok && slices.Contains(c.Objects, o) {
		return c
	}
	for _, k := range children(root) {
		if c := parentOf(k, o); c != nil {
			return c
		}
	}
	return nil
}

// lockPIN enters wrong PINs at the settings until the lock strikes,
// checking the count on the way.
func (r *rig) lockPIN() {
	r.t.Helper()
	term := r.term
	term.showTab(term.settings.root)
	for i := 1; i <= MaxPINTries; i++ {
		r.tap(term.settings.unlockBtn)
		r.enterPIN("9999")
		if i == MaxPINTries {
			break
		}
		if term.pin == nil || term.pin.msg.Text != term.tr.N("pin.wrong", MaxPINTries-i) {
			r.t.Fatalf("try %d: %v", i, term.pin)
		}
		term.closePIN()
	}
	if term.pin != nil {
		r.t.Fatal("PIN prompt still open after the lock struck")
	}
}

// TestPINLockCountdown: once locked, the dialog and the settings tab say
// so with the time left, counting down; a terminal without an API token
// says who can clear it; at the end they say the PIN can be tried again.
func TestPINLockCountdown(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.lockPIN()
	v := term.settings.pinLock
	if v.dlg == nil || v.dlgText == nil {
		t.Fatal("no locked dialog")
	}
	l, err := checkout.ReadPINLock(context.Background(), r.j, "T001")
	if err != nil || l.Until.IsZero() {
		t.Fatalf("lock %+v %v", l, err)
	}
	at := l.Until.Add(-(3*time.Minute + 59*time.Second))
	term.now = func() time.Time { return at }
	v.refresh()
	want := "Too many wrong PINs: settings and refunds are locked. Try again in 3:59. IT can clear it sooner through the terminal's local API on this computer."
	if v.dlgText.Text != want || v.status.Text != want || !v.status.Visible() || v.status.Importance != widget.DangerImportance {
		t.Fatalf("dialog %q, settings tab %q (shown %v)", v.dlgText.Text, v.status.Text, v.status.Visible())
	}
	if v.clearBtn.Visible() || v.dlgClear.Visible() {
		t.Fatal("clearing offered without an API token")
	}
	at = at.Add(time.Second)
	v.refresh()
	if !strings.HasPrefix(v.status.Text, "Too many wrong PINs: settings and refunds are locked. Try again in 3:58.") {
		t.Fatalf("one second later: %q", v.status.Text)
	}
	// Tapping Unlock while locked shows the dialog again, without a prompt.
	v.dlg.Hide()
	if v.dlg != nil {
		t.Fatal("dialog still held after closing")
	}
	r.tap(term.settings.unlockBtn)
	r.until("locked dialog", func() bool { return v.dlg != nil })
	if term.pin != nil {
		t.Fatal("the PIN was asked while locked")
	}
	// The lock runs out: the dialog says so, the tab shows the one try left.
	at = l.Until
	v.refresh()
	if v.dlgText.Text != "The lock is over: the PIN can be entered again." || v.status.Text != "1 try left before settings and refunds lock." ||
		v.status.Importance != widget.WarningImportance {
		t.Fatalf("after the lock: dialog %q, tab %q", v.dlgText.Text, v.status.Text)
	}
}

// TestPINLockClearedWithToken: on a terminal with an API token the manager
// clears the lock at the screen; a wrong token is refused and clears
// nothing; the clearing is audited and the right PIN then opens settings.
func TestPINLockClearedWithToken(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	const token = "tok-0123456789abcdefghijklmnop"
	p := r.core.Profile()
	p.APIToken = token
	r.runWith(p)
	term := r.term
	r.lockPIN()
	v := term.settings.pinLock
	if !v.clearBtn.Visible() || !v.dlgClear.Visible() {
		t.Fatal("no way to clear the lock on a terminal with an API token")
	}
	r.tap(v.clearBtn)
	c := v.clearing
	if c == nil {
		t.Fatal("no token prompt")
	}
	c.token.SetText("tok-wrong-0123456789abcdefghij")
	r.tap(c.ok)
	r.until("refused", func() bool { return c.msg.Text == "That is not this terminal's API token." })
	if l, _ := checkout.ReadPINLock(context.Background(), r.j, "T001"); l.Left(time.Now()) == 0 {
		t.Fatal("a wrong token cleared the lock")
	}
	c.token.SetText(token)
	r.tap(c.ok)
	r.until("cleared", func() bool { return v.clearing == nil })
	if v.dlg != nil || v.status.Visible() || v.clearBtn.Visible() {
		t.Fatalf("still shown as locked: %q", v.status.Text)
	}
	var actions []string
	for _, e := range r.audit() {
		actions = append(actions, e.Actor+" "+e.Action)
	}
	if !slices.Contains(actions, "manager pin_lock_clear_refused") || actions[len(actions)-1] != "manager "+checkout.AuditPINCleared {
		t.Fatalf("audit %v", actions)
	}
	r.tap(term.settings.unlockBtn)
	r.enterPIN(DefaultDemoPIN)
	if !term.settings.open {
		t.Fatal("the right PIN does not open settings after clearing")
	}
}
