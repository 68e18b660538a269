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
// connection" button. Nothing here names a provider.

// providerFields are one provider's card.
type providerFields struct {
	info    payments.ProviderInfo
	entries map[string]*widget.Entry  // text and secret settings, by key
	choices map[string]*widget.Select // settings with Choices, by key
	test    *widget.Button
}

// newProviderFields builds the card's fields from profile p.
func (s *settingsScreen) newProviderFields(info payments.ProviderInfo, p checkout.Profile) *providerFields {
	f := &providerFields{info: info, entries: map[string]*widget.Entry{}, choices: map[string]*widget.Select{}}
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
		form.Append(settingLabel(tr, f.info, set), w)
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

// apply writes the card into p: a secret left empty keeps the old one, a
// choice showing the default of an empty setting keeps it empty.
func (f *providerFields) apply(p *checkout.Profile) {
	for _, set := range f.info.Settings {
		old := p.Setting(f.info.Name, set.Key)
		if sel, ok := f.choices[set.Key]; ok {
			p.Set(f.info.Name, set.Key, keepDefault(old, sel.Selected, set.Default))
			continue
		}
		v := strings.TrimSpace(f.entries[set.Key].Text)
		if set.Secret && v == "" {
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
