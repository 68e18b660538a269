package assets

import (
	"embed"
	_ "embed"
)

// Translations holds the screen texts of the terminal, one JSON file per
// language in translations/ (en.json, zh-Hant.json, zh-Hans.json), in the
// flat "key": "text" form (qrpos/i18n reads them).
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory of Translations that holds the files.
const TranslationsDir = "translations"

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte
