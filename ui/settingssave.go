package ui

// Saving the settings: the profile as the form stands, with only the
// fields the manager changed, validated, applied through the core and
// audited by name.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// edited is the profile as the form stands: the running profile with the
// fields the manager changed (secrets left empty keep the old ones),
// validated (defaults filled in).
func (s *settingsScreen) edited() (checkout.Profile, error) {
	tr := s.t.tr
	p := s.t.core.Profile() // in force: a head-office change since the form opened stays
	text := func(o fyne.CanvasObject, dst *string) {
		if v, ok := s.shown.changed(o); ok {
			*dst = v
		}
	}
	number := func(o fyne.CanvasObject, dst *int, bad string) error {
		v, ok := s.shown.changed(o)
		if !ok {
			return nil
		}
		n, err := optionalInt(v)
		if err != nil {
			return errors.New(tr.T(bad))
		}
		*dst = n
		return nil
	}
	text(s.storeName, &p.StoreName)
	text(s.address, &p.StoreAddress)
	text(s.header, &p.ReceiptHeader)
	text(s.footer, &p.ReceiptFooter)
	text(s.currency, &p.Currency)
	if _, ok := s.shown.changed(s.language); ok {
		p.Language = string(s.langNames[s.language.Selected])
	}
	if err := number(s.timeout, &p.OrderTimeout, "settings.bad_timeout"); err != nil {
		return p, err
	}
	if s.chime.Checked != s.chimeWas {
		p.SetChime(s.chime.Checked)
	}
	if n := p.OrderTimeout; n != 0 && (n < 30 || n > 7200) { // Profile.Validate's range, in the shop's words
		return p, errors.New(tr.T("settings.bad_timeout"))
	}
	for _, f := range s.providers {
		f.apply(&p)
	}
	text(s.scanPort, &p.Scanner.Port)
	text(s.scanSuffix, &p.Scanner.Suffix)
	text(s.printPort, &p.Printer.Port)
	text(s.printFlow, &p.Printer.Flow)
	text(s.printEnc, &p.Printer.Encoding)
	s.applyPrinterChoices(&p)
	if err := number(s.scanBaud, &p.Scanner.Baud, "settings.bad_baud"); err != nil {
		return p, err
	}
	if err := number(s.printBaud, &p.Printer.Baud, "settings.bad_baud"); err != nil {
		return p, err
	}
	if v, ok := s.shown.changed(s.printWidth); ok {
		p.Printer.Width, _ = strconv.Atoi(v) // one of the choices
	}
	if err := s.editedMethods(&p); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if len(p.Offered()) == 0 {
		return p, errors.New(tr.T("settings.no_offered"))
	}
	return p, nil
}

// editedMethods writes the routing into p when the manager changed it (a
// profile that never had a list, "every method", keeps none otherwise).
func (s *settingsScreen) editedMethods(p *checkout.Profile) error {
	changed := false
	for _, r := range s.routes {
		if _, ch := s.shown.changed(r.choice); ch {
			changed = true
		}
	}
	chosen := s.routedMethods()
	if changed {
		p.Methods = chosen
	}
	if len(chosen) == 0 {
		return errors.New(s.t.tr.T("settings.no_methods"))
	}
	return nil
}

func optionalInt(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return n, nil
}

// changedFields names what differs between two profiles, for the audit
// log: names only, never a secret's value. An unset setting and the
// default it stands for are the same.
func changedFields(a, b checkout.Profile) []string {
	a, b = effective(a), effective(b)
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("store_name", a.StoreName == b.StoreName)
	add("store_address", a.StoreAddress == b.StoreAddress)
	add("receipt_header", a.ReceiptHeader == b.ReceiptHeader)
	add("receipt_footer", a.ReceiptFooter == b.ReceiptFooter)
	add("currency", a.Currency == b.Currency)
	add("language", a.Language == b.Language)
	add("order_timeout", a.OrderTimeout == b.OrderTimeout)
	add("chime", a.ChimeOn() == b.ChimeOn())
	add("new_sale_after", a.NewSaleAfter == b.NewSaleAfter)
	add("methods", slices.Equal(a.Methods, b.Methods))
	out = append(out, providerChanges(a, b)...)
	add("scanner", a.Scanner == b.Scanner)
	add("printer", a.Printer == b.Printer)
	return out
}

// saveProfile validates the form and applies it, off the UI goroutine.
func (s *settingsScreen) saveProfile() {
	t := s.t
	tr := t.tr
	p, err := s.edited()
	if err != nil {
		s.msg.SetText(err.Error())
		return
	}
	if t.phase == phaseStarting || t.phase == phaseWaiting || t.phase == phaseScan {
		s.msg.SetText(tr.T("settings.sale_running"))
		return
	}
	changed := changedFields(t.core.Profile(), p)
	if len(changed) == 0 {
		s.msg.SetText(tr.T("settings.nothing_changed"))
		return
	}
	s.save.Disable()
	s.msg.SetText(tr.T("settings.saving"))
	core := t.core
	go func() {
		err := core.Apply(t.ctx, p)
		applied := core.Profile()
		detail := strings.Join(changed, ", ")
		if err != nil {
			detail += ": " + err.Error()
		}
		t.audit("manager", "settings_saved", detail)
		t.do(func() {
			t.subscribe() // the engine in force may be a new one
			if err != nil {
				t.prof = applied
				s.save.Enable()
				s.msg.SetText(err.Error())
				return
			}
			t.prof = p
			if ntr, err := NewTranslator(Language(p.Language)); err == nil {
				t.tr = ntr
			}
			t.build()
			t.showTab(t.settings.root)
			t.settings.unlock()
			t.settings.msg.SetText(t.tr.T("settings.saved", "Fields", fieldNames(t.tr, changed)))
		})
	}()
}

// fieldTextKeys are the text keys of changedFields' names.
var fieldTextKeys = map[string]string{
	"store_name": "settings.store_name", "store_address": "settings.address",
	"receipt_header": "settings.header", "receipt_footer": "settings.footer",
	"currency": "settings.currency", "language": "settings.language", "order_timeout": "settings.timeout", "chime": "settings.chime",
	"methods": "settings.section_methods", "scanner": "settings.field_scanner", "printer": "settings.field_printer",
}

// fieldNames says changedFields' names in the shop's words ("Language,
// QFPay Client key"), for the manager; the audit log keeps the names.
func fieldNames(tr *Translator, names []string) string {
	words := make([]string, len(names))
	for i, name := range names {
		words[i] = name
		if key, ok := fieldTextKeys[name]; ok {
			words[i] = tr.T(key)
		} else if prov, key, ok := strings.Cut(name, "."); ok {
			words[i] = providerSettingName(tr, payments.Provider(prov), key)
		}
	}
	return strings.Join(words, ", ")
}
