package ui

import (
	"fyne.io/fyne/v2/lang"

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

// systemLanguage picks the terminal language closest to the system's.
func systemLanguage() Language { return i18n.Match(string(lang.SystemLocale())) }

// NewTranslator makes a translator for l (System: the system's language).
// The texts are not handed to fyne/lang: Fyne looks up only its own keys
// (a file dialog's "Save", an entry's "Paste"), none of which are among
// them, and its bundle of the terminal's 3×390 texts cost about 2 MiB of
// heap (issue 18).
func NewTranslator(l Language) (*Translator, error) {
	if l == System {
		l = systemLanguage()
	}
	return i18n.New(l)
}
