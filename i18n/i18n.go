// Package i18n owns the terminal's words in its three languages (English,
// Traditional and Simplified Chinese), read once from assets/translations:
// looking a text up, filling in its {{.Fields}}, and choosing its plural
// form. The screens (ui) and the printed receipts and reports use it.
//
// It must not import a window toolkit, the journal or the devices: it is
// words only.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"sync"
	"text/template"

	"golang.org/x/text/language"

	"qrpos/assets"
)

// Language is one of the terminal's languages, spelt as the profile keeps
// it ("" follows the system).
type Language string

// The languages.
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

// NativeName is how each language names itself in a list of languages.
func (l Language) NativeName() string {
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

// Chinese reports whether l is one of the Chinese languages.
func (l Language) Chinese() bool { return l == TraditionalChinese || l == SimplifiedChinese }

var matcher = language.NewMatcher([]language.Tag{language.English, language.TraditionalChinese, language.SimplifiedChinese})

// Match maps a locale ("zh-HK", "zh_CN.UTF-8", "en-US") to a terminal
// language; Hong Kong, Taiwan and Macau Chinese read Traditional, anything
// unknown English.
func Match(locale string) Language {
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

// catalog holds every language's texts.
var (
	catalogOnce sync.Once
	catalog     map[Language]map[string]string
	catalogErr  error
)

// load reads assets/translations once.
func load() (map[Language]map[string]string, error) {
	catalogOnce.Do(func() {
		c := map[Language]map[string]string{}
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
			c[Language(strings.TrimSuffix(name, ".json"))] = m
		}
		if len(c[English]) == 0 {
			catalogErr = fmt.Errorf("translations: no English texts")
			return
		}
		catalog = c
	})
	return catalog, catalogErr
}

// Translator turns text keys into the words of one language.
type Translator struct {
	lang  Language // never System
	texts map[string]string
	en    map[string]string
}

// New makes a translator for l; System and unknown languages give
// English (the screens resolve System from the system's locale first).
func New(l Language) (*Translator, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	texts, ok := c[l]
	if !ok {
		l, texts = English, c[English]
	}
	return &Translator{lang: l, texts: texts, en: c[English]}, nil
}

// Must is New for the languages the terminal ships: the catalog is
// embedded, so it cannot fail but for a broken build.
func Must(l Language) *Translator {
	t, err := New(l)
	if err != nil {
		panic(err)
	}
	return t
}

// Language is the language the translator speaks.
func (t *Translator) Language() Language { return t.lang }

// Has reports whether key has an English text.
func (t *Translator) Has(key string) bool { _, ok := t.en[key]; return ok }

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
	return fill(key, s, kv)
}

// N is T for a text about n things: key.one when n is 1, key.other
// otherwise (Chinese has one form, written under both keys); {{.Count}} is
// n.
func (t *Translator) N(key string, n int, kv ...any) string {
	form := key + ".other"
	if n == 1 {
		form = key + ".one"
	}
	return t.T(form, append([]any{"Count", n}, kv...)...)
}

// fill puts kv's values into s's {{.Fields}}.
func fill(key, s string, kv []any) string {
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
