package ui

import (
	"log/slog"
	"sync"

	"fyne.io/fyne/v2/lang"

	"qrpos/assets"
	"qrpos/i18n"
)

// Language is one of the screen languages (i18n owns them).
type Language = i18n.Language

// The screen languages.
const (
	System             = i18n.System
	English            = i18n.English
	TraditionalChinese = i18n.TraditionalChinese
	SimplifiedChinese  = i18n.SimplifiedChinese
)

// Languages lists the choices offered in settings, System first.
func Languages() []Language { return i18n.Languages() }

// Translator turns text keys into the words of one language.
type Translator = i18n.Translator

var fyneLangOnce sync.Once

// systemLanguage picks the terminal language closest to the system's.
func systemLanguage() Language { return i18n.Match(string(lang.SystemLocale())) }

// NewTranslator makes a translator for l (System: the system's language),
// and hands the texts to fyne/lang once, so Fyne's own lookups know the
// terminal's languages.
func NewTranslator(l Language) (*Translator, error) {
	if l == System {
		l = systemLanguage()
	}
	tr, err := i18n.New(l)
	if err != nil {
		return nil, err
	}
	fyneLangOnce.Do(func() {
		if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
			slog.Warn("fyne/lang did not take the translations", "err", err)
		}
	})
	return tr, nil
}
