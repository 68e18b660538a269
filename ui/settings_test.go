package ui

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// children are the objects o shows: a container's, or a widget's renderer's.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch w := o.(type) {
	case *fyne.Container:
		return w.Objects
	case fyne.Widget:
		return test.WidgetRenderer(w).Objects()
	}
	return nil
}

// holds reports whether o is root or somewhere inside it.
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	for _, c := range children(root) {
		if holds(c, o) {
			return true
		}
	}
	return false
}

// buttonIn is the first button inside root whose text is text.
func buttonIn(root fyne.CanvasObject, text string) *widget.Button {
	if b, ok := root.(*widget.Button); ok && b.Text == text {
		return b
	}
	for _, c := range children(root) {
		if b := buttonIn(c, text); b != nil {
			return b
		}
	}
	return nil
}

// openSettings opens the settings with the right PIN.
func (r *rig) openSettings() *settingsScreen {
	r.t.Helper()
	r.term.showTab(r.term.settings.root)
	r.tap(r.term.settings.unlockBtn)
	r.enterPIN(DefaultDemoPIN)
	if !r.term.settings.open {
		r.t.Fatal("settings not open")
	}
	return r.term.settings
}

// runWith makes the core run with p as it is (Apply stores it validated
// but runs with it unchanged, as a new demo terminal runs with its
// unvalidated demo profile), and the UI show it.
func (r *rig) runWith(p checkout.Profile) {
	r.t.Helper()
	if err := r.core.Apply(context.Background(), p); err != nil {
		r.t.Fatal(err)
	}
	r.term.prof = r.core.Profile()
}

// TestSaveWritesOnlyWhatChanged: a profile running with settings the form
// cannot show as they are (an order timeout and a paper width of 0, which
// stand for 120 s and 48 columns; an empty scanner suffix, printer flow
// and QFPay signing method, shown as auto, none and MD5); the manager
// changes only the language and saves. The stored profile differs in the
// language alone, and the audit names the language alone.
func TestSaveWritesOnlyWhatChanged(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	p := r.core.Profile()
	p.OrderTimeout, p.Printer.Width = 0, 0
	if p.Scanner.Suffix != "" || p.Printer.Flow != "" || p.Setting(payments.QFPay, "sign_type") != "" {
		t.Fatalf("the demo profile sets what this test wants unset: %+v %+v", p.Scanner, p.Printer)
	}
	r.runWith(p)
	before, err := loadProfile(r)
	if err != nil {
		t.Fatal(err)
	}
	if before.OrderTimeout != 120 || before.Printer.Width != 48 {
		t.Fatalf("stored timeout %d, width %d", before.OrderTimeout, before.Printer.Width)
	}
	s := r.openSettings()
	if s.timeout.Text != "" || s.timeout.PlaceHolder != "120 (the default)" || s.printWidth.Selected != "48" ||
		s.scanSuffix.Selected != "auto" || s.printFlow.Selected != "none" {
		t.Fatalf("form shows timeout %q (%q), width %q, suffix %q, flow %q",
			s.timeout.Text, s.timeout.PlaceHolder, s.printWidth.Selected, s.scanSuffix.Selected, s.printFlow.Selected)
	}
	s.language.SetSelected("繁體中文")
	r.tap(s.save)
	r.until("saved", func() bool { return r.term.tr.Language() == TraditionalChinese })
	if got := r.term.settings.msg.Text; got != "已儲存：語言" {
		t.Fatalf("message %q", got)
	}
	after, err := loadProfile(r)
	if err != nil {
		t.Fatal(err)
	}
	if after.Language != "zh-Hant" {
		t.Fatalf("stored language %q", after.Language)
	}
	after.Language = before.Language
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("saving the language changed more:\nbefore %+v\nafter  %+v", before.Redacted(), after.Redacted())
	}
	var details []string
	for _, e := range r.audit() {
		if e.Action == "settings_saved" {
			details = append(details, e.Detail)
		}
	}
	if len(details) != 1 || details[0] != "language" {
		t.Fatalf("audited %q", details)
	}
}

// TestSettingsWords: provider settings in the shop's words with their API
// names small under them; the QR timeout's unit and what 0 means; "Close
// the terminal" on its own, away from Save, asking first.
func TestSettingsWords(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	s := r.openSettings()
	tr := r.term.tr
	for _, tc := range []struct {
		prov        payments.Provider
		key         string
		label, hint string
	}{
		{payments.Eftpay, "user_confirm_key", "Merchant account", "user_confirm_key · the merchant account eftPay gave the shop, e.g. S0000001"},
		{payments.Eftpay, "secret", "Signing key", "secret"},
		{payments.QFPay, "mchid", "Merchant number", "mchid · only if QFPay issued one"},
		{payments.QFPay, "sign_type", "Signing method", "sign_type · MD5 unless QFPay asked for SHA256"},
	} {
		info, _ := payments.LookupProvider(tc.prov)
		var found bool
		for _, set := range info.Settings {
			if set.Key == tc.key {
				found = true
				if got := settingLabel(tr, info, set); got != tc.label {
					t.Errorf("%s.%s label %q, want %q", tc.prov, tc.key, got, tc.label)
				}
				if got := settingHint(tr, info, set); got != tc.hint {
					t.Errorf("%s.%s hint %q, want %q", tc.prov, tc.key, got, tc.hint)
				}
			}
		}
		if !found {
			t.Errorf("%s has no setting %s", tc.prov, tc.key)
		}
	}
	for _, l := range []Language{TraditionalChinese, SimplifiedChinese} {
		zh := translatorFor(t, l)
		info, _ := payments.LookupProvider(payments.QFPay)
		if got := settingLabel(zh, info, info.Settings[3]); got == "Merchant number" || strings.Contains(got, "mchid") {
			t.Errorf("%s mchid label %q", l, got)
		}
	}

	// The timeout: a unit beside the field, what empty and 0 mean under it.
	form := s.form
	if !holds(form, s.timeout) {
		t.Fatal("timeout field not in the form")
	}
	if !strings.Contains(tr.T("settings.timeout_hint", "Default", 120), "Empty or 0: the default, 120 seconds") {
		t.Fatalf("hint %q", tr.T("settings.timeout_hint", "Default", 120))
	}
	var unitBeside bool
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok {
			var entry, unit bool
			for _, k := range c.Objects {
				entry = entry || k == s.timeout
				if l, ok := k.(*widget.Label); ok && l.Text == "seconds" {
					unit = true
				}
			}
			unitBeside = unitBeside || entry && unit
		}
		for _, k := range children(o) {
			walk(k)
		}
	}
	walk(form)
	if !unitBeside {
		t.Error("no \"seconds\" beside the timeout")
	}

	// 0 is the default the profile already has; 10 is out of range.
	s.timeout.SetText("0")
	r.tap(s.save)
	if s.msg.Text != "Nothing was changed." {
		t.Fatalf("timeout 0 for 120: %q", s.msg.Text)
	}
	s.timeout.SetText("10")
	r.tap(s.save)
	if s.msg.Text != "The timeout must be a number of seconds (30 to 7200)." {
		t.Fatalf("timeout 10: %q", s.msg.Text)
	}
	s.timeout.SetText("120")

	// Close the terminal: not in the bar with Save; it asks before closing.
	var bar fyne.CanvasObject
	for _, o := range s.form.(*fyne.Container).Objects {
		if holds(o, s.save) {
			bar = o
		}
	}
	if bar == nil || holds(bar, s.quit) || !holds(s.form, s.quit) {
		t.Fatal("Close the terminal sits with Save, or nowhere")
	}
	closed := false
	r.term.cfg.OnQuit = func() { closed = true }
	r.tap(s.quit)
	r.drain(50 * time.Millisecond)
	if closed {
		t.Fatal("closed without asking")
	}
	top := r.term.win.Canvas().Overlays().Top()
	yes := buttonIn(top, tr.T("button.yes"))
	if yes == nil {
		t.Fatal("no confirmation asked")
	}
	r.tap(yes)
	r.until("closed", func() bool { return closed })
}

// translatorFor is the translator of l.
func translatorFor(t *testing.T, l Language) *Translator {
	t.Helper()
	tr, err := NewTranslator(l)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestOpenSettingsFit800x600: the open settings (and the locked face) need
// no more than an 800×600 screen in any language: the form scrolls down,
// never sideways.
func TestOpenSettingsFit800x600(t *testing.T) {
	for _, l := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		r := newRig(t, rigOptions{language: l})
		locked := r.term.settings.locked.MinSize()
		s := r.openSettings()
		r.term.win.Resize(fyne.NewSize(800, 600))
		if need := r.term.win.Canvas().Content().MinSize(); need.Width > 800 || need.Height > 600 {
			t.Errorf("%s: the window with the settings open needs %v", l, need)
		}
		if form := s.form.MinSize(); form.Width > 780 || locked.Width > 780 {
			t.Errorf("%s: the settings need %v open, %v locked", l, form, locked)
		}
	}
}

// TestRouting: the manager chooses which provider serves a wallet, or
// turns it off; the cashier then sees the wallet once, served by that
// provider, and a wallet turned off not at all.
func TestRouting(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	s := r.openSettings()
	var alipayHK, octopus *route
	for _, x := range s.routes {
		switch {
		case x.wallet == payments.AlipayHK && x.mode == payments.MPM:
			alipayHK = x
		case x.wallet == payments.Octopus && x.mode == payments.MPM:
			octopus = x
		}
	}
	if alipayHK == nil || octopus == nil || alipayHK.choice.Selected != "eftPay" || octopus.choice.Selected != "QFPay" {
		t.Fatalf("routing shows %+v %+v", alipayHK, octopus)
	}
	alipayHK.choice.SetSelected("QFPay")
	octopus.choice.SetSelected("Off")
	r.tap(s.save)
	r.until("saved", func() bool {
		return r.core.Profile().Routes() != nil && !slices.Contains(r.core.Profile().Methods, "eftpay:ALIPAYHK")
	})
	p, err := loadProfile(r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Methods, "qfpay:801501") || slices.Contains(p.Methods, "eftpay:ALIPAYHK") || slices.Contains(p.Methods, "qfpay:803701") {
		t.Fatalf("stored methods %v", p.Methods)
	}
	r.until("the sale screen rebuilt", func() bool { return r.term.cashier.methodBtns["qfpay:801501"] != nil })
	if _, ok := r.term.cashier.methodBtns["eftpay:ALIPAYHK"]; ok {
		t.Fatal("AlipayHK still goes to eftPay")
	}
	if _, ok := r.term.cashier.methodBtns["qfpay:803701"]; ok {
		t.Fatal("Octopus turned off still has a button")
	}
}

// TestChimeSetting: the manager switches the paid chime off; the profile
// keeps it, and the audit names only it.
func TestChimeSetting(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	s := r.openSettings()
	if !s.chime.Checked {
		t.Fatal("the chime is off by default")
	}
	s.chime.SetChecked(false)
	r.tap(s.save)
	r.until("saved", func() bool { return !r.core.Profile().ChimeOn() })
	if p, err := loadProfile(r); err != nil || p.ChimeOn() {
		t.Fatalf("stored chime on: %v", err)
	}
	var last string
	r.until("audited", func() bool {
		for _, e := range r.audit() {
			if e.Action == "settings_saved" {
				last = e.Detail
			}
		}
		return last != ""
	})
	if last != "chime" {
		t.Fatalf("audit %q", last)
	}
}

// TestProfileFromElsewhere: a profile put in force outside the screen
// (head office, between sales) shows at once, and a manager's later save
// does not undo it.
func TestProfileFromElsewhere(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	p := r.core.Profile()
	p.StoreName, p.ReceiptFooter = "Head office's name", "From head office"
	if err := r.core.Apply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	r.until("the new name on the screen", func() bool { return r.term.prof.StoreName == "Head office's name" })
	s := r.openSettings()
	s.language.SetSelected("繁體中文")
	r.tap(s.save)
	r.until("saved", func() bool { return r.core.Profile().Language == "zh-Hant" })
	if got := r.core.Profile(); got.StoreName != "Head office's name" || got.ReceiptFooter != "From head office" {
		t.Fatalf("the manager's save undid head office's: %q %q", got.StoreName, got.ReceiptFooter)
	}
}
