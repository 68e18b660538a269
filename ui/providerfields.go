package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// The provider cards of the settings screen: one card per registered
// provider, built from what the provider describes (payments.ProviderInfo
// .Settings): an entry per setting, a password entry that never shows the
// old value for a secret, a choice for a setting with Choices, and a "Test
// connection" button. Each setting is labelled in the shop's words, its
// API name small under it (what the provider's papers call it). Nothing
// here names a provider.

// providerFields are one provider's card.
type providerFields struct {
	info    payments.ProviderInfo
	entries map[string]*widget.Entry  // text and secret settings, by key
	choices map[string]*widget.Select // settings with Choices, by key
	shown   shownTexts                // what the fields showed when built
	test    *widget.Button
}

// newProviderFields builds the card's fields from profile p.
func (s *settingsScreen) newProviderFields(info payments.ProviderInfo, p checkout.Profile) *providerFields {
	f := &providerFields{info: info, entries: map[string]*widget.Entry{}, choices: map[string]*widget.Select{}, shown: shownTexts{}}
	for _, set := range info.Settings {
		v := p.Setting(info.Name, set.Key)
		switch {
		case set.Secret:
			f.entries[set.Key] = s.secretEntry(v)
		case len(set.Choices) > 0:
			sel := widget.NewSelect(set.Choices, nil)
			sel.SetSelected(choiceOf(set, v))
			f.choices[set.Key] = sel
		default:
			f.entries[set.Key] = entryWith(v)
		}
	}
	for _, e := range f.entries {
		f.shown.remember(e)
	}
	for _, c := range f.choices {
		f.shown.remember(c)
	}
	tr := s.t.tr
	f.test = widget.NewButton(tr.T("settings.test_provider", "Provider", info.Title), func() { s.testProvider(info.Name) })
	if s.t.cfg.TestProvider == nil {
		f.test.Disable()
	}
	return f
}

// choiceOf is the choice a setting's value v stands for (its Default when
// empty), in the spelling of Choices.
func choiceOf(set payments.Setting, v string) string {
	if v == "" {
		v = set.Default
	}
	for _, c := range set.Choices {
		if strings.EqualFold(c, v) {
			return c
		}
	}
	return v
}

// card is the provider's card: its settings and its "Test connection".
func (f *providerFields) card(tr *Translator) fyne.CanvasObject {
	form := widget.NewForm()
	for _, set := range f.info.Settings {
		var w fyne.CanvasObject = f.entries[set.Key]
		if sel, ok := f.choices[set.Key]; ok {
			w = sel
		}
		it := widget.NewFormItem(settingLabel(tr, f.info, set), w)
		it.HintText = settingHint(tr, f.info, set)
		form.AppendItem(it)
	}
	return widget.NewCard(f.info.Title, "", container.NewVBox(form, container.NewHBox(f.test)))
}

// settingLabel is a setting's label in the screen's language: the text of
// "setting.<provider>.<key>", else of "setting.<key>" (shared words such
// as base_url), else the provider's own English label.
func settingLabel(tr *Translator, info payments.ProviderInfo, set payments.Setting) string {
	for _, key := range []string{"setting." + string(info.Name) + "." + set.Key, "setting." + set.Key} {
		if tr.Has(key) {
			return tr.T(key)
		}
	}
	return set.Label
}

// settingHint is what goes small under a setting: its API name, and what
// to put there when the shop's words need it ("setting_hint.<provider>.<key>").
func settingHint(tr *Translator, info payments.ProviderInfo, set payments.Setting) string {
	if key := "setting_hint." + string(info.Name) + "." + set.Key; tr.Has(key) {
		return set.Key + " · " + tr.T(key)
	}
	return set.Key
}

// providerSettingName is a provider's setting named in the shop's words
// ("QFPay Client key"), for messages.
func providerSettingName(tr *Translator, prov payments.Provider, key string) string {
	info, ok := payments.LookupProvider(prov)
	if !ok {
		return string(prov) + "." + key
	}
	for _, set := range info.Settings {
		if set.Key == key {
			return info.Title + " " + settingLabel(tr, info, set)
		}
	}
	return info.Title + " " + key
}

// apply writes the fields the manager changed into p: a field left alone
// keeps its stored value (a choice showing the default of an empty
// setting keeps it empty), a secret left empty keeps the old one.
func (f *providerFields) apply(p *checkout.Profile) {
	for _, set := range f.info.Settings {
		var o fyne.CanvasObject = f.entries[set.Key]
		if sel, ok := f.choices[set.Key]; ok {
			o = sel
		}
		v, changed := f.shown.changed(o)
		if !changed || set.Secret && v == "" {
			continue
		}
		p.Set(f.info.Name, set.Key, v)
	}
}

// providerChanges names the provider settings that differ between a and
// b ("eftpay.secret"), for the audit log: names only, never a value.
func providerChanges(a, b checkout.Profile) []string {
	var out []string
	for _, info := range payments.Providers() {
		for _, set := range info.Settings {
			if a.Setting(info.Name, set.Key) != b.Setting(info.Name, set.Key) {
				out = append(out, string(info.Name)+"."+set.Key)
			}
		}
	}
	return slices.Clip(out)
}

// providerEntry is the entry of provider prov's setting key (nil if the
// setting has none: a choice, or no such setting).
func (s *settingsScreen) providerEntry(prov payments.Provider, key string) *widget.Entry {
	for _, f := range s.providers {
		if f.info.Name == prov {
			return f.entries[key]
		}
	}
	return nil
}
