package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"sync"
	"text/template"

	"fyne.io/fyne/v2/lang"
	"golang.org/x/text/language"

	"qrpos/assets"
)

// Language is one of the terminal's screen languages, spelt as the profile
// keeps it ("" follows the system).
type Language string

// The screen languages.
const (
	System             Language = ""
	English            Language = "en"
	TraditionalChinese Language = "zh-Hant"
	SimplifiedChinese  Language = "zh-Hans"
)

// Languages lists the choices offered in settings, System first.
func Languages() []Language {
	return []Language{System, English, TraditionalChinese, SimplifiedChinese}
}

// nativeName is how each language names itself in the settings list.
func (l Language) nativeName() string {
	switch l {
	case English:
		return "English"
	case TraditionalChinese:
		return "繁體中文"
	case SimplifiedChinese:
		return "简体中文"
	}
	return ""
}

// catalog holds every language's texts, read once from assets.
type catalog struct {
	texts map[Language]map[string]string
}

var (
	catalogOnce sync.Once
	theCatalog  *catalog
	catalogErr  error
)

// loadCatalog reads assets/translations and also hands the files to
// fyne/lang, so Fyne's own lookups know the terminal's languages.
func loadCatalog() (*catalog, error) {
	catalogOnce.Do(func() {
		c := &catalog{texts: map[Language]map[string]string{}}
		entries, err := fs.ReadDir(assets.Translations, assets.TranslationsDir)
		if err != nil {
			catalogErr = fmt.Errorf("translations: %w", err)
			return
		}
		for _, e := range entries {
			name := e.Name()
			b, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, name))
			if err != nil {
				catalogErr = fmt.Errorf("translations %s: %w", name, err)
				return
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				catalogErr = fmt.Errorf("translations %s: %w", name, err)
				return
			}
			c.texts[Language(strings.TrimSuffix(name, ".json"))] = m
		}
		if len(c.texts[English]) == 0 {
			catalogErr = fmt.Errorf("translations: no English texts")
			return
		}
		if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
			slog.Warn("fyne/lang did not take the translations", "err", err)
		}
		theCatalog = c
	})
	return theCatalog, catalogErr
}

// Translator turns text keys into the words of one language.
type Translator struct {
	lang  Language // resolved: never System
	texts map[string]string
	en    map[string]string
}

// systemLanguage picks the terminal language closest to the system's.
func systemLanguage() Language {
	return matchLanguage(string(lang.SystemLocale()))
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.TraditionalChinese, language.SimplifiedChinese})

// matchLanguage maps a locale ("zh-HK", "zh_CN", "en-US") to a terminal
// language; Hong Kong, Taiwan and Macau Chinese read Traditional.
func matchLanguage(locale string) Language {
	locale, _, _ = strings.Cut(locale, ".") // zh_HK.UTF-8
	locale, _, _ = strings.Cut(locale, "@")
	tag, err := language.Parse(strings.ReplaceAll(locale, "_", "-"))
	if err != nil {
		return English
	}
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return English
	}
	return []Language{English, TraditionalChinese, SimplifiedChinese}[i]
}

// NewTranslator makes a translator for l (System: the system's language).
func NewTranslator(l Language) (*Translator, error) {
	c, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	if l == System {
		l = systemLanguage()
	}
	texts, ok := c.texts[l]
	if !ok {
		l, texts = English, c.texts[English]
	}
	return &Translator{lang: l, texts: texts, en: c.texts[English]}, nil
}

// Language is the language the translator speaks.
func (t *Translator) Language() Language { return t.lang }

// T returns the text of key; kv are name, value pairs for the text's
// {{.Name}} fields. A key missing in the language falls back to English,
// then to the key itself (a missing text is visible, never blank).
func (t *Translator) T(key string, kv ...any) string {
	s, ok := t.texts[key]
	if !ok || s == "" {
		s, ok = t.en[key]
	}
	if !ok {
		slog.Warn("missing translation", "key", key, "lang", t.lang)
		s = key
	}
	if len(kv) == 0 || !strings.Contains(s, "{{") {
		return s
	}
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	tpl, err := template.New(key).Option("missingkey=zero").Parse(s)
	if err != nil {
		return s
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return s
	}
	return b.String()
}

// Has reports whether key has an English text (tests).
func (t *Translator) Has(key string) bool { _, ok := t.en[key]; return ok }
