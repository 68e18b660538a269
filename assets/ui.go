package assets

import (
	"embed"
	_ "embed"
)

// Translations holds the screen texts of the terminal, one JSON file per
// language in translations/ (en.json, zh-Hant.json, zh-Hans.json), in the
// flat "key": "text" form fyne/lang reads (lang.AddTranslationsFS).
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory of Translations that holds the files.
const TranslationsDir = "translations"

// UIFont is Droid Sans Fallback (Apache-2.0, fonts/DROID-LICENSE.txt): the
// screen font for Chinese. It has no Latin letters; the UI theme puts it
// before Fyne's own font, which draws those.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var UIFont []byte

// UIFontName is the file name of UIFont.
const UIFontName = "DroidSansFallbackFull.ttf"

// UIFontLicense is the licence notice of UIFont.
//
//go:embed fonts/DROID-LICENSE.txt
var UIFontLicense string

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte
