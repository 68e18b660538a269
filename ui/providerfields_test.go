package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// TestProviderCardFromDescription: a provider's card is built from its
// description alone (this one is not even registered): an entry per
// setting, a password entry that does not show the secret, a choice at its
// default, its own Test button; the form writes back what was typed, an
// empty secret keeping the old one.
func TestProviderCardFromDescription(t *testing.T) {
	test.NewApp()
	tr, err := NewTranslator(English)
	if err != nil {
		t.Fatal(err)
	}
	s := &settingsScreen{t: &Terminal{tr: tr}} // no TestProvider: the button is disabled
	info := payments.ProviderInfo{Name: "cardpay", Title: "CardPay", Settings: []payments.Setting{
		{Key: "base_url", Label: "Host", Required: true},
		{Key: "shop", Label: "Shop number", Required: true},
		{Key: "token", Label: "Token", Secret: true, Required: true},
		{Key: "mode", Label: "Mode", Choices: []string{"LIVE", "TEST"}, Default: "LIVE"},
	}}
	var p checkout.Profile
	p.Set("cardpay", "base_url", "https://old")
	p.Set("cardpay", "token", "TOKEN-OLD-1234")
	f := s.newProviderFields(info, p)
	if len(f.entries) != 3 || len(f.choices) != 1 || f.choices["mode"].Selected != "LIVE" || !f.test.Disabled() {
		t.Fatalf("fields: %d entries, %d choices, mode %q", len(f.entries), len(f.choices), f.choices["mode"].Selected)
	}
	if tok := f.entries["token"]; !tok.Password || tok.Text != "" || tok.PlaceHolder == "" || strings.Contains(tok.PlaceHolder, "TOKEN-OLD") {
		t.Fatalf("secret entry: %q / %q", tok.Text, tok.PlaceHolder)
	}
	if card := f.card(tr).(*widget.Card); card.Title != "CardPay" {
		t.Fatalf("card title %q", card.Title)
	}
	// Labels: the shared translation of base_url, the provider's own label otherwise.
	if got := settingLabel(tr, info, info.Settings[0]); got != tr.T("setting.base_url") {
		t.Errorf("base_url label %q", got)
	}
	if got := settingLabel(tr, info, info.Settings[1]); got != "Shop number" {
		t.Errorf("shop label %q", got)
	}
	f.entries["shop"].SetText(" S-9 ")
	f.apply(&p)
	if p.Setting("cardpay", "shop") != "S-9" || p.Setting("cardpay", "token") != "TOKEN-OLD-1234" || p.Setting("cardpay", "mode") != "" {
		t.Fatalf("applied %v", p.Providers)
	}
	f.entries["token"].SetText("TOKEN-NEW")
	f.choices["mode"].SetSelected("TEST")
	f.apply(&p)
	if p.Setting("cardpay", "token") != "TOKEN-NEW" || p.Setting("cardpay", "mode") != "TEST" {
		t.Fatalf("applied %v", p.Providers)
	}
}

// TestProviderChangesNamesOnly: the audit names each changed provider
// setting as table.key, never its value.
func TestProviderChangesNamesOnly(t *testing.T) {
	var a checkout.Profile
	a.Set(payments.Eftpay, "secret", "S1")
	a.Set(payments.QFPay, "mchid", "M1")
	b := a
	b.Set(payments.Eftpay, "secret", "S2")
	b.Set(payments.QFPay, "sign_type", "SHA256")
	if got := providerChanges(a, b); !slices.Equal(got, []string{"eftpay.secret", "qfpay.sign_type"}) {
		t.Fatalf("changes %v", got)
	}
}
