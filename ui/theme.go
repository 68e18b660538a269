package ui

import (
	"image/color"
	"log/slog"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"qrpos/assets"
)

// uiFont is the screen font for Chinese as a Fyne resource: the subset of
// Droid Sans Fallback that everyday text needs (assets.UIFont). Fyne draws
// every rune from the first font that has it: this one for Chinese, then
// Fyne's own font (Latin, digits, bold Latin), then the system's fonts,
// which is where a character neither has comes from (Windows' Chinese
// fonts; on Debian, e.g. fonts-droid-fallback or fonts-noto-cjk). Fyne
// parses the font once per text style: the subset keeps that small.
var uiFont = fyne.NewStaticResource(assets.UIFontName, assets.UIFont)

// posTheme is the terminal's look: Fyne's default light theme with a font
// that draws Chinese, and larger text for a touch screen at arm's length.
// font is uiFont when nil.
type posTheme struct{ font fyne.Resource }

var _ fyne.Theme = posTheme{}

// themeFor is the theme for a store whose own texts (its name, the
// receipt's header and footer: what the screens show of it) are texts:
// the subset font, or the whole Droid Sans Fallback when they hold a
// character the subset lacks. The whole font is unpacked then (about
// 20 MiB more Go heap: Fyne parses it once per text style); a store name in
// everyday characters never loads it.
func themeFor(log *slog.Logger, texts ...string) posTheme {
	if !assets.UIFontNeedsFull(strings.Join(texts, "")) {
		return posTheme{}
	}
	full, err := assets.UIFontFull()
	if err != nil {
		log.Error("screen font", "err", err)
		return posTheme{}
	}
	fullFontOnce.Do(func() { fullFont = fyne.NewStaticResource(assets.UIFontFullName, full) })
	log.Info("screen font: the store's texts need the whole font", "font", assets.UIFontFullName)
	return posTheme{font: fullFont}
}

var (
	fullFontOnce sync.Once
	fullFont     fyne.Resource
)

// applyTheme sets the theme the profile's texts need, when it changed (UI
// goroutine).
func (t *Terminal) applyTheme() {
	th := themeFor(t.log, t.prof.StoreName, t.prof.ReceiptHeader, t.prof.ReceiptFooter)
	if cur, ok := t.app.Settings().Theme().(posTheme); !ok || cur != th {
		t.app.Settings().SetTheme(th)
	}
}

func (posTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameSuccess:
		return color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}
	case theme.ColorNameError:
		return color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	case theme.ColorNameFocus:
		// Amber, strong enough to show on the blue and orange ways to pay
		// (Fyne's default is a faint blue: invisible on a blue button).
		return color.NRGBA{R: 0xff, G: 0xb3, B: 0x00, A: 0xb0}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (p posTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if p.font != nil {
		return p.font
	}
	return uiFont
}

func (posTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (posTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 16
	case theme.SizeNameHeadingText:
		return 26
	case theme.SizeNameSubHeadingText:
		return 20
	case theme.SizeNameInputBorder:
		return 2
	}
	return theme.DefaultTheme().Size(n)
}

// Text sizes of the large figures.
const (
	amountTextSize   = 44 // the amount being typed
	customerAmount   = 72 // the amount on the customer display
	customerHeadline = 40 // "Paid", the store name on the customer display
	stateTextSize    = 24 // the sale's state on the cashier screen
)

// Colours used outside widgets.
var (
	colorPaid    = color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}
	colorFailed  = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colorWorking = color.NRGBA{R: 0xb2, G: 0x6a, B: 0x00, A: 0xff}
	colorAskBand = color.NRGBA{R: 0xff, G: 0xf1, B: 0xc2, A: 0xff} // the till's charge waiting for the cashier
	colorText    = color.NRGBA{R: 0x21, G: 0x21, B: 0x21, A: 0xff}
	colorMuted   = color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: 0xff}
	colorBanner  = color.NRGBA{R: 0xff, G: 0xf3, B: 0xcd, A: 0xff}
	colorWhite   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)
